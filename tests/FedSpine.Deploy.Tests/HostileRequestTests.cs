// Every request of the hostile catalogue (HostileRequests, over 100 kinds) against a live server on loopback: each gets
// its 4xx with a one-line JSON message naming the problem and exactly one log line; the server keeps serving; the
// global state is bit for bit unchanged; and the round's checkpoint equals that of a control run that saw none of them.
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedSpine.Deploy.Wire;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Model.Formats;
using Xunit.Abstractions;

namespace FedSpine.Deploy.Tests;

public sealed class HostileRequestTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_hostile_request_gets_a_clear_4xx_one_log_line_and_changes_nothing()
    {
        var log = new LogCapture();
        await using var d = await TinyDeployment.StartAsync(devices: 2, rounds: 1, roundTimeout: TimeSpan.FromSeconds(60), log: log);
        var (me, other, task) = await OpenRound(d);
        var hostile = new HostileRequests(d, me, other, task);
        var cases = hostile.All();
        Assert.True(cases.Count >= 100, $"{cases.Count} kinds");
        Assert.Equal(cases.Count, cases.Select(c => c.Name).Distinct().Count());

        var before = d.GlobalState();
        var failures = new List<string>();
        foreach (var c in cases)
        {
            int logged = log.Lines.Count;
            using var response = await c.Send();
            string body = await response.Content.ReadAsStringAsync();
            var lines = log.Lines.Skip(logged).ToList();
            output.WriteLine($"{c.Name}: {(int)response.StatusCode} {body} | log: {string.Join(" / ", lines)}");
            string? message = null;
            try
            {
                message = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
            }
            if (response.StatusCode != c.Status)
            {
                failures.Add($"{c.Name}: expected {(int)c.Status}, got {(int)response.StatusCode} {body}");
            }
            else if (message is null || !message.Contains(c.Says, StringComparison.OrdinalIgnoreCase) || message.Contains('\n'))
            {
                failures.Add($"{c.Name}: message '{message ?? body}' should be one line containing '{c.Says}'");
            }
            else if (lines.Count != 1 || !lines[0].Contains("refused", StringComparison.Ordinal))
            {
                failures.Add($"{c.Name}: expected one 'refused' log line, got {lines.Count}: {string.Join(" / ", lines)}");
            }
            if (!before.SequenceEqual(d.GlobalState()))
            {
                failures.Add($"{c.Name}: changed the global state");
                before = d.GlobalState();
            }
            using var status = await d.Http.GetAsync(Routes.Status);
            if (status.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{c.Name}: /status answered {(int)status.StatusCode} afterwards");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} hostile requests misbehaved:\n" + string.Join("\n", failures));

        using (var accepted = await me.Upload(task.Round, hostile.Valid))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        using (var again = await me.Upload(task.Round, hostile.Valid))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains("already answered", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(before, d.GlobalState());   // nothing is aggregated until the round closes
        await CloseRound(d, other, task.Round);
        var lines2 = File.ReadAllLines(Path.Combine(d.Run.MethodFolder, "metrics.jsonl"));
        Assert.Contains("\"status\":\"ok\"", lines2[0], StringComparison.Ordinal);
        Assert.Contains("\"status\":\"no-answer\"", lines2[1], StringComparison.Ordinal);

        // The control run: the same deployment with only the valid upload and the decline.
        await using var control = await TinyDeployment.StartAsync(devices: 2, rounds: 1, roundTimeout: TimeSpan.FromSeconds(60));
        var (cMe, cOther, cTask) = await OpenRound(control);
        using (var accepted = await cMe.Upload(cTask.Round, new HostileRequests(control, cMe, cOther, cTask).Valid))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        await CloseRound(control, cOther, cTask.Round);
        AssertSameCheckpoint(control.Run.CheckpointPath, d.Run.CheckpointPath);
    }

    private static async Task<(EchoDevice Me, EchoDevice Other, RoundTask Task)> OpenRound(TinyDeployment d)
    {
        var me = d.Device(0);
        var other = d.Device(1);
        await me.Hello();
        await other.Hello();
        var (taskBytes, _) = await me.Poll();
        return (me, other, TaskMessage.Decode(taskBytes!));
    }

    private static async Task CloseRound(TinyDeployment d, EchoDevice other, int round)
    {
        using (var declined = await other.Send(HttpMethod.Post, Routes.Decline(1, round), EchoDevice.Json(new DeclineRequest("test"))))
        {
            Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        }
        var result = await d.Server.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, result.Rounds);
    }

    /// <summary>Every tensor byte for byte, and the run state except the real seconds the run took (wall-clock).</summary>
    private static void AssertSameCheckpoint(string expectedPath, string actualPath)
    {
        using var expected = SafeTensorsFile.Open(expectedPath);
        using var actual = SafeTensorsFile.Open(actualPath);
        Assert.Equal(expected.Entries.Select(e => e.Name), actual.Entries.Select(e => e.Name));
        foreach (var entry in expected.Entries)
        {
            Assert.Equal(expected.Read(entry.Name).Span.ToArray(), actual.Read(entry.Name).Span.ToArray());
        }
        Assert.Equal(WithoutWallClock(expected.Metadata), WithoutWallClock(actual.Metadata));
    }

    private static string WithoutWallClock(IReadOnlyDictionary<string, string> metadata)
    {
        var state = JsonNode.Parse(metadata["fedspine_state"])!.AsObject();
        state.Remove("wall_s");
        return state.ToJsonString();
    }
}
