// Plain reference row softmax and its backward: scalar loops, double accumulation.
// The fast Softmax kernel is tested against this; same contract as Softmax.
namespace FedSpine.Tensors;

public static class SoftmaxReference
{
    /// <summary>In place over x: [rows, cols].</summary>
    public static void Forward(Span<float> x, int rows, int cols)
    {
        Softmax.CheckShapes(x.Length, x.Length, x.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            Row(x.Slice(r * cols, cols));
        }
    }

    /// <summary>dx = y ⊙ (dy − rowsum(dy ⊙ y)); dx may alias dy. All [rows, cols].</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx, int rows, int cols)
    {
        Softmax.CheckShapes(dy.Length, y.Length, dx.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            double dot = 0;
            for (int c = 0; c < cols; c++)
            {
                dot += (double)dy[r * cols + c] * y[r * cols + c];
            }
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                dx[i] = (float)(y[i] * (dy[i] - dot));
            }
        }
    }

    // In place over one row, max subtracted.
    private static void Row(Span<float> row)
    {
        double max = double.NegativeInfinity;
        foreach (float v in row)
        {
            max = Math.Max(max, v);
        }
        double sum = 0;
        foreach (float v in row)
        {
            sum += Math.Exp(v - max);
        }
        for (int c = 0; c < row.Length; c++)
        {
            row[c] = (float)(Math.Exp(row[c] - max) / sum);
        }
    }
}
