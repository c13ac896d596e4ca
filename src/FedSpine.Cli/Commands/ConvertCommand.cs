// `fedspine convert`: a llama2.c .bin (or any readable model) to a Hugging Face folder (config.json, safetensors,
// tokenizer.json when a tokenizer is known), in f32, f16 or bf16.
using System.CommandLine;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Cli.Commands;

internal static class ConvertCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "llama2.c .bin checkpoint or HF folder", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.bin or tokenizer.json to include as tokenizer.json" };
        var output = new Option<string>("--out") { Description = "output folder", Required = true };
        var dtype = new Option<string>("--dtype") { Description = "f32, f16 or bf16", DefaultValueFactory = _ => "f32" };
        var command = new Command("convert", "Write a model as a Hugging Face folder (config.json + model.safetensors + tokenizer.json)")
        {
            model, tokenizer, output, dtype,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var loaded = ModelLoader.Load(parse.GetValue(model)!, parse.GetValue(tokenizer), requireTokenizer: false);
            string outDir = parse.GetValue(output)!;
            HfModelFolder.Save(outDir, loaded.Weights, SafeTensorsDtypes.Parse(parse.GetValue(dtype)!));
            RunOutputs.SaveTokenizer(outDir, loaded);
            Console.Error.WriteLine($"wrote {outDir} ({loaded.Weights.ParameterCount:N0} parameters)");
            return 0;
        }));
        return command;
    }
}
