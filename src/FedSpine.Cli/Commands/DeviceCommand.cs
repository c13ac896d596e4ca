// `fedspine device`: one device agent for a `fedspine server` run: its token, its base model and private data (from
// `fedspine partition`), an optional profile (tx2|nx|agx|phone: simulated times and throttling, as in simulate); retries
// while the server is away and exits 0 when the server says the run is over.
using System.CommandLine;
using FedSpine.Cli.Infrastructure;
using FedSpine.Deploy.Agent;

namespace FedSpine.Cli.Commands;

internal static class DeviceCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "the server's URL, e.g. http://192.168.1.10:5000", Required = true };
        var id = new Option<int>("--id") { Description = "this device's id (0..N-1)", Required = true };
        var token = new Option<string?>("--token") { Description = "this device's token (from the server's token file)" };
        var tokenFile = new Option<string?>("--token-file") { Description = "read the token from this file instead (keeps it out of the process list)" };
        var model = new Option<string>("--model") { Description = "base model: HF folder or llama2.c .bin (the server's)", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.json or tokenizer.bin [default: the model folder's]" };
        var data = new Option<string>("--data") { Description = "this device's data file (device-ID.jsonl from fedspine partition; for an instruct run, Dolly/Alpaca JSONL, split on the device when no row has \"split\")", Required = true };
        var profile = new Option<string?>("--profile") { Description = "tx2, nx, agx or phone: report that profile's simulated times (and sleep to match them)" };
        var noThrottle = new Option<bool>("--no-throttle") { Description = "with --profile, do not sleep to imitate the profile's speed" };
        var state = new Option<string?>("--state") { Description = "state file (mask, importance) [default: device-ID.state.json beside --data]" };
        var giveUp = new Option<double>("--give-up") { Description = "seconds of server absence before giving up", DefaultValueFactory = _ => 300 };
        var trust = new Option<string?>("--trust-cert") { Description = "https: trust exactly this (self-signed) server certificate" };
        var command = new Command("device", "Runs one device of a `fedspine server` run: trains locally on private data, uploads LoRA factors")
        {
            server, id, token, tokenFile, model, tokenizer, data, profile, noThrottle, state, giveUp, trust,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string url = parse.GetValue(server)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"--server: '{url}' is not an http:// or https:// URL");
            }
            string secret = parse.GetValue(token) ?? (parse.GetValue(tokenFile) is string f ? File.ReadAllText(f).Trim()
                : throw new ArgumentException("--token: give the device's token (or --token-file)"));
            if (parse.GetValue(profile) is string p)
            {
                FedSpine.Federated.Devices.DeviceProfiles.Get(p);
            }
            var options = new AgentOptions
            {
                Server = uri,
                Id = parse.GetValue(id),
                Token = secret,
                Model = parse.GetValue(model)!,
                Tokenizer = parse.GetValue(tokenizer),
                Data = parse.GetValue(data)!,
                Profile = parse.GetValue(profile),
                Throttle = !parse.GetValue(noThrottle),
                StatePath = parse.GetValue(state),
                GiveUp = TimeSpan.FromSeconds(parse.GetValue(giveUp)),
                TrustCertificatePath = parse.GetValue(trust),
            };
            new DeviceAgent(options).RunAsync().GetAwaiter().GetResult();
            return 0;
        }));
        return command;
    }
}
