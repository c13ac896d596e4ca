// The server's HTTP paths, shared by the server and the device agent so neither spells them twice.
using System.Globalization;

namespace FedSpine.Deploy.Wire;

public static class Routes
{
    public const string Hello = "/v1/hello";
    public const string Status = "/status";

    public static string Task(int device, double waitSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"/v1/devices/{device}/task?wait={waitSeconds}");

    public static string Report(int device, int round) => $"/v1/devices/{device}/rounds/{round}/report";

    public static string Decline(int device, int round) => $"/v1/devices/{device}/rounds/{round}/decline";
}
