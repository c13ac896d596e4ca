// Turns expected failures (bad files, bad arguments) into one clear line on stderr and a non-zero exit code.
// Anything unexpected is still reported in one line, with its type, never as a stack dump.
namespace FedSpine.Cli.Infrastructure;

internal static class CliErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or IOException or InvalidOperationException or FormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}");
            return 70;
        }
    }
}
