// Reads a token id field that HF configs write either as one integer or as a list (eos_token_id of Llama 3 Instruct);
// writes one integer when the list holds one id, so single-id configs round-trip unchanged.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedSpine.Model;

public sealed class TokenIdListJsonConverter : JsonConverter<IReadOnlyList<int>>
{
    public override IReadOnlyList<int> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return [reader.GetInt32()];
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"a token id must be an integer or a list of integers, found {reader.TokenType}");
        }
        var ids = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            ids.Add(reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : throw new JsonException($"a token id list holds {reader.TokenType}"));
        }
        return ids;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<int> value, JsonSerializerOptions options)
    {
        if (value.Count == 1)
        {
            writer.WriteNumberValue(value[0]);
            return;
        }
        writer.WriteStartArray();
        foreach (int id in value)
        {
            writer.WriteNumberValue(id);
        }
        writer.WriteEndArray();
    }
}
