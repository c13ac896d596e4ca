// Parses a device mix such as "6 tx2, 10 nx, 4 agx" (COUNT NAME entries separated by commas, whitespace tolerant) into
// an ordered list of profiles: device i is the i-th. A malformed entry is rejected with a message quoting it.
using System.Globalization;

namespace FedSpine.Federated.Devices;

public static class DeviceMix
{
    public const string Format = "\"COUNT NAME, COUNT NAME, ...\", e.g. \"6 tx2, 10 nx, 4 agx\"";

    /// <summary>Profiles in entry order, each repeated COUNT times; names resolve with DeviceProfiles.Get.</summary>
    public static IReadOnlyList<DeviceProfile> Parse(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            throw new ArgumentException($"empty device mix; expected {Format}");
        }
        var devices = new List<DeviceProfile>();
        foreach (string raw in spec.Split(','))
        {
            string entry = raw.Trim();
            string[] parts = entry.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                throw new ArgumentException($"device mix entry '{entry}' in '{spec}' is not COUNT NAME; expected {Format}");
            }
            if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
            {
                throw new ArgumentException($"device mix entry '{entry}': count '{parts[0]}' must be a positive integer");
            }
            DeviceProfile profile;
            try
            {
                profile = DeviceProfiles.Get(parts[1]);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"device mix entry '{entry}': {e.Message}", e);
            }
            devices.AddRange(Enumerable.Repeat(profile, count));
        }
        return devices;
    }
}
