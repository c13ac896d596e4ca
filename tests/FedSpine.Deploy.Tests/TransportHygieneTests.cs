// Transport hygiene of a live server (in process, loopback): the auth scheme is case-insensitive, a device's hello strings
// reach /status cleaned and capped, a refused request with a body is answered with Connection: close (the body is not
// drained), and after a resume a stale upload is refused naming the run's real round.
using System.Net;
using System.Text;
using System.Text.Json;
using FedSpine.Deploy.Server;
using FedSpine.Deploy.Wire;

namespace FedSpine.Deploy.Tests;

public sealed class TransportHygieneTests
{
    [Fact]
    public async Task A_lowercase_bearer_scheme_is_accepted()
    {
        await using var d = await TinyDeployment.StartAsync(devices: 1, rounds: 1, roundTimeout: TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Post, Routes.Hello) { Content = EchoDevice.Json(new HelloRequest(0)) };
        request.Headers.TryAddWithoutValidation("Authorization", "bearer " + d.Tokens.Tokens[0]);
        using var response = await d.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Hello_strings_reach_status_without_control_characters_and_capped()
    {
        await using var d = await TinyDeployment.StartAsync(devices: 1, rounds: 1, roundTimeout: TimeSpan.FromSeconds(30));
        string profile = "agx\n12:00:00.000 info: forged\u001b[2J" + new string('p', 60_000);
        using var response = await d.Device(0).Send(HttpMethod.Post, Routes.Hello, EchoDevice.Json(new HelloRequest(0, profile, "agent\r\nx")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string status = await d.Http.GetStringAsync(Routes.Status);
        using var doc = JsonDocument.Parse(status);
        string shown = doc.RootElement.GetProperty("devices")[0].GetProperty("profile").GetString()!;
        Assert.StartsWith("agx?12:00:00.000 info: forged?[2J", shown, StringComparison.Ordinal);
        Assert.True(shown.Length <= DeviceText.MaxLength + 1, $"profile of {shown.Length} characters on /status");
        Assert.DoesNotContain(shown, char.IsControl);
    }

    [Fact]
    public async Task A_refused_request_with_a_body_closes_the_connection()
    {
        await using var d = await TinyDeployment.StartAsync(devices: 1, rounds: 1, roundTimeout: TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Post, Routes.Report(0, 1)) { Content = new ByteArrayContent(new byte[4096]) };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('0', 32));
        using var response = await d.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(response.Headers.ConnectionClose, "a refused request's connection stays open (its body would be drained)");

        using var status = await d.Http.GetAsync(Routes.Status);   // the server keeps serving
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    [Fact]
    public void After_a_resume_a_stale_upload_is_refused_naming_the_real_round()
    {
        var transport = new HttpDeviceTransport(TimeSpan.FromSeconds(1), completedRounds: 4);
        var error = Assert.Throws<WireError>(() => transport.Outstanding(0, 2));
        Assert.Equal(409, error.Status);
        Assert.Contains("the current round is 4", error.Message, StringComparison.Ordinal);
    }
}
