// `fedspine generate`: text from a llama2.c .bin or an HF folder, printed on stdout exactly as llama2.c's run.c
// prints it (prompt, continuation, newline); with --instruction, only the response to the instruct template, up to
// end-of-text. A PEFT adapter applies unmerged. Diagnostics such as tokens/s go to stderr.
using System.CommandLine;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Inference;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;

namespace FedSpine.Cli.Commands;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "llama2.c .bin checkpoint or Hugging Face model folder", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.bin (llama2.c) or tokenizer.json; optional for an HF folder that has tokenizer.json" };
        var prompt = new Option<string>("--prompt") { Description = "prompt text", DefaultValueFactory = _ => "" };
        var steps = new Option<int>("--steps") { Description = "positions in all, including the BOS-prefixed prompt (llama2.c's -n)", DefaultValueFactory = _ => 256 };
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy", DefaultValueFactory = _ => 1.0f };
        var topP = new Option<float>("--top-p") { Description = "nucleus sampling threshold; 0 or 1 turns it off", DefaultValueFactory = _ => 0.9f };
        var seed = new Option<ulong>("--seed") { Description = "sampling seed (run.c's xorshift generator)", DefaultValueFactory = _ => 42UL };
        var adapter = new Option<string?>("--adapter") { Description = "PEFT adapter folder to apply (unmerged)" };
        var instruction = new Option<string?>("--instruction") { Description = "respond to an instruction with the instruct template (prints only the response; --steps caps its tokens)" };
        var context = new Option<string?>("--context") { Description = "optional context for --instruction" };
        var weightsDtype = new Option<string>("--weights-dtype") { Description = WeightsDtype.Description, DefaultValueFactory = _ => "f32" };
        var command = new Command("generate", "Generate text with a model (greedy, temperature or top-p sampling, KV cache)")
        {
            model, tokenizer, prompt, steps, temperature, topP, seed, adapter, instruction, context, weightsDtype,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var loaded = ModelLoader.Load(parse.GetValue(model)!, parse.GetValue(tokenizer), bf16: WeightsDtype.IsBf16(parse.GetValue(weightsDtype)!));
            var tok = loaded.Tokenizer ?? throw new ArgumentException(
                $"{loaded.Source}: no tokenizer found; pass --tokenizer (tokenizer.bin or tokenizer.json)");
            int n = parse.GetValue(steps);
            if (n <= 0)
            {
                throw new ArgumentException($"--steps must be positive (got {n})");
            }
            var sampler = new RunCSampler(loaded.Weights.Config.VocabSize, parse.GetValue(temperature), parse.GetValue(topP), parse.GetValue(seed));
            LoraWeights? lora = parse.GetValue(adapter) is string dir ? PeftAdapter.Load(dir, loaded.Weights) : null;
            if (parse.GetValue(instruction) is string text)
            {
                if (!string.IsNullOrEmpty(parse.GetValue(prompt)))
                {
                    throw new ArgumentException("give either --prompt or --instruction, not both");
                }
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var (ids, response) = InstructGenerator.Respond(loaded.Weights, tok, text, parse.GetValue(context) ?? "", n, lora,
                    parse.GetValue(temperature) == 0f ? null : sampler);
                Console.Out.WriteLine(response);
                Console.Error.WriteLine($"response tokens: {ids.Length}; {clock.Elapsed.TotalSeconds:F2} s");
                return 0;
            }
            if (parse.GetValue(context) is not null)
            {
                throw new ArgumentException("--context needs --instruction");
            }
            using var stdout = Console.OpenStandardOutput();
            var result = TextGenerator.Generate(loaded.Weights, tok, parse.GetValue(prompt) ?? "", n, sampler, lora,
                onPiece: piece => { stdout.Write(piece); stdout.Flush(); });
            if (result.Positions > 1)
            {
                Console.Error.WriteLine($"achieved tok/s: {(result.Positions - 1) / result.Seconds:F1}");
            }
            return 0;
        }));
        return command;
    }
}
