// A request the server refuses: the HTTP status (4xx) and one line saying what is wrong, sent back as {"error": ...}.
// Thrown while decoding or checking a message; the handler turns it into the response and global state stays untouched.
namespace FedSpine.Deploy.Wire;

public sealed class WireError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
