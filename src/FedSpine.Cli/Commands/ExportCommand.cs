// `fedspine export`: a model (with an optional PEFT adapter) to a standard format: an HF folder with the adapter
// merged, a PEFT adapter folder (validated against the model), or a GGUF file for llama.cpp-style runtimes.
using System.CommandLine;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Formats;

namespace FedSpine.Cli.Commands;

internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "llama2.c .bin or HF folder", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.bin or tokenizer.json to include" };
        var adapter = new Option<string?>("--adapter") { Description = "PEFT adapter folder (merged for hf and gguf; required for peft)" };
        var format = new Option<string>("--format") { Description = "hf, peft or gguf", Required = true };
        var dtype = new Option<string>("--dtype") { DefaultValueFactory = _ => "f32", Description = "f32, f16 (hf, gguf) or bf16 (hf)" };
        var output = new Option<string>("--out") { Description = "output folder (hf, peft) or .gguf file", Required = true };
        var command = new Command("export", "Write a model as an HF folder, a PEFT adapter or a GGUF file") { model, tokenizer, adapter, format, dtype, output };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var loaded = ModelLoader.Load(parse.GetValue(model)!, parse.GetValue(tokenizer), requireTokenizer: false);
            var lora = parse.GetValue(adapter) is string dir ? PeftAdapter.Load(dir, loaded.Weights) : null;
            string outPath = parse.GetValue(output)!;
            switch (parse.GetValue(format))
            {
                case "hf":
                    lora?.MergeInto(loaded.Weights);
                    HfModelFolder.Save(outPath, loaded.Weights, SafeTensorsDtypes.Parse(parse.GetValue(dtype)!));
                    PerLayerShapeNote.Print(loaded.Weights);
                    RunOutputs.SaveTokenizer(outPath, loaded);
                    break;
                case "peft":
                    PeftAdapter.Save(outPath, lora ?? throw new ArgumentException("--format peft needs --adapter"), parse.GetValue(model));
                    break;
                case "gguf":
                    lora?.MergeInto(loaded.Weights);
                    GgufWriter.Save(outPath, loaded.Weights, loaded.Tokenizer, GgmlTypes.Parse(parse.GetValue(dtype)!));
                    break;
                default:
                    throw new ArgumentException($"--format must be hf, peft or gguf (got '{parse.GetValue(format)}')");
            }
            Console.Error.WriteLine($"wrote {outPath}");
            return 0;
        }));
        return command;
    }
}
