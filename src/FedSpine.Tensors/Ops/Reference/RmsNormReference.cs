// Plain reference RMSNorm: scalar loops, double accumulation, no vectors or threads.
// The fast RmsNorm kernel is tested against this; same contract as RmsNorm.
namespace FedSpine.Tensors;

public static class RmsNormReference
{
    /// <summary>x, y: [rows, cols]; weight: [cols]; rstd: [rows] (written).</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> rstd, int rows, int cols, float eps)
    {
        RmsNorm.CheckShapes(x.Length, weight.Length, y.Length, rstd.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            double sumSquares = 0;
            for (int c = 0; c < cols; c++)
            {
                double v = x[r * cols + c];
                sumSquares += v * v;
            }
            double inv = 1.0 / Math.Sqrt(sumSquares / cols + eps);
            rstd[r] = (float)inv;
            for (int c = 0; c < cols; c++)
            {
                y[r * cols + c] = (float)(x[r * cols + c] * inv * weight[c]);
            }
        }
    }

    /// <summary>Adds into dx [rows, cols] and, unless empty, dWeight [cols]. dy, x: [rows, cols]; rstd: [rows].</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> rstd,
        Span<float> dx, Span<float> dWeight, int rows, int cols)
    {
        RmsNorm.CheckShapes(x.Length, weight.Length, dx.Length, rstd.Length, rows, cols);
        OpsArgs.Holds(dy.Length, (long)rows * cols, nameof(dy));
        if (!dWeight.IsEmpty)
        {
            OpsArgs.Holds(dWeight.Length, cols, nameof(dWeight));
        }
        for (int r = 0; r < rows; r++)
        {
            double inv = rstd[r];
            double dot = 0;
            for (int c = 0; c < cols; c++)
            {
                dot += (double)dy[r * cols + c] * weight[c] * x[r * cols + c];
            }
            double coef = inv * inv * inv * dot / cols;
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                dx[i] = (float)(dx[i] + inv * weight[c] * dy[i] - coef * x[i]);
            }
        }
        if (!dWeight.IsEmpty)
        {
            for (int c = 0; c < cols; c++)
            {
                double sum = 0;
                for (int r = 0; r < rows; r++)
                {
                    sum += (double)dy[r * cols + c] * x[r * cols + c] * rstd[r];
                }
                dWeight[c] = (float)(dWeight[c] + sum);
            }
        }
    }
}
