// Plain reference rotary embedding ("rotate half" pairing i ↔ i + headDim/2): scalar loops in double.
// The fast Rope kernel is tested against this; same contract as Rope.
namespace FedSpine.Tensors;

public static class RopeReference
{
    /// <summary>Rotates x [batch, tokens, heads, headDim] in place; token t sits at startPosition + t; inverse uses −sin.</summary>
    public static void Apply(Span<float> x, int batch, int tokens, int heads, int headDim, int startPosition, RopeTable table, bool inverse = false)
    {
        Rope.CheckShapes(x.Length, batch, tokens, heads, headDim, startPosition, table);
        int half = headDim / 2;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < tokens; t++)
            {
                var cos = table.Cos(startPosition + t);
                var sin = table.Sin(startPosition + t);
                for (int h = 0; h < heads; h++)
                {
                    int start = ((b * tokens + t) * heads + h) * headDim;
                    for (int i = 0; i < half; i++)
                    {
                        double c = cos[i], s = inverse ? -sin[i] : sin[i];
                        double first = x[start + i], second = x[start + i + half];
                        x[start + i] = (float)(first * c - second * s);
                        x[start + i + half] = (float)(second * c + first * s);
                    }
                }
            }
        }
    }
}
