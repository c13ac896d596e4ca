// Entry point of the `fedspine` command. PLACEHOLDER until the commands land.
namespace FedSpine.Cli;

public static class Program
{
    public static int Main(string[] args) => args.Length >= 0 ? 0 : 1;
}
