// Unpacked GEMM for few rows of C (matrix-vector and small batches) and tiny problems: B is read in place, calls below
// ParallelWork never touch the pool, larger ones split columns of C over it; op(A) must be A (not transposed).
using System.Runtime.Intrinsics;

namespace FedSpine.Tensors;

internal sealed unsafe class GemmDirect : IWorkerBody
{
    /// <summary>Calls with fewer multiply-adds than this run on the calling thread alone.</summary>
    internal const long ParallelWork = 1 << 18;

    /// <summary>Most column chunks one call is split into.</summary>
    private const int MaxTasks = 8;

    [ThreadStatic] private static GemmDirect? _current;

    private Isa _isa;
    private bool _transB;
    private int _m;
    private int _n;
    private int _k;
    private float _alpha;
    private float _beta;
    private float* _a;
    private float* _b;
    private float* _c;
    private nint _lda;
    private nint _ldb;
    private nint _ldc;
    private int _chunk;

    /// <summary>C[m,n] = alpha·A[m,k]·op(B) + beta·C with A row-major (row stride lda), arguments already checked.</summary>
    public static void Multiply(Isa isa, bool transB, int m, int n, int k, float alpha, float* a, nint lda, float* b,
        nint ldb, float beta, float* c, nint ldc)
    {
        GemmDirect job = _current ??= new GemmDirect();
        job._isa = isa;
        job._transB = transB;
        job._m = m;
        job._n = n;
        job._k = k;
        job._alpha = alpha;
        job._beta = beta;
        job._a = a;
        job._b = b;
        job._c = c;
        job._lda = lda;
        job._ldb = ldb;
        job._ldc = ldc;
        if ((long)m * n * k < ParallelWork)
        {
            job.Columns(0, n);
            return;
        }
        // Chunks are whole blocks of the kernels: 8 rows of Bᵀ, or 128 columns of B (whole 4-vector blocks).
        int unit = transB ? 8 : 128;
        int tasks = Math.Min(MaxTasks, (n + unit - 1) / unit);
        job._chunk = ((n + tasks - 1) / tasks + unit - 1) / unit * unit;
        WorkerPool.For((n + job._chunk - 1) / job._chunk, job);
    }

    public void Invoke(int index)
    {
        int j0 = index * _chunk;
        Columns(j0, Math.Min(_n, j0 + _chunk));
    }

    private void Columns(int j0, int j1)
    {
        switch (_isa)
        {
            case Isa.Avx512 when _transB:
                GemmDotKernels.Run<Lanes512, Vector512<float>>(_m, j0, j1, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc);
                break;
            case Isa.Avx512:
                GemmAxpyKernels.Run<Lanes512, Vector512<float>>(_m, j0, j1, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc);
                break;
            case Isa.Avx2 when _transB:
                GemmDotKernels.Run<Lanes256, Vector256<float>>(_m, j0, j1, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc);
                break;
            case Isa.Avx2:
                GemmAxpyKernels.Run<Lanes256, Vector256<float>>(_m, j0, j1, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc);
                break;
            case Isa.Vector128 when _transB:
                GemmDotKernels.Run<Lanes128, Vector128<float>>(_m, j0, j1, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc);
                break;
            case Isa.Vector128:
                GemmAxpyKernels.Run<Lanes128, Vector128<float>>(_m, j0, j1, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc);
                break;
            case Isa.Scalar when _transB:
                GemmDotKernels.Run<LanesScalar, float>(_m, j0, j1, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc);
                break;
            default:
                GemmAxpyKernels.Run<LanesScalar, float>(_m, j0, j1, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc);
                break;
        }
    }
}
