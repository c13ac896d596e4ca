// Cache-blocked GEMM (GotoBLAS/BLIS loop nest) for problems with many rows: for each (A row panel, B column panel,
// fixed kc step) both panels are packed in parallel, then C tiles are computed in parallel. k is never split.
namespace FedSpine.Tensors;

internal sealed unsafe class GemmBlocked : IWorkerBody
{
    /// <summary>Problems below this many flops run on the calling thread alone.</summary>
    internal const double ParallelFlops = 4e6;

    /// <summary>C tiles per thread a step is split into, for load balance.</summary>
    private const int TasksPerThread = 6;

    /// <summary>Floats one packing task copies, about.</summary>
    private const int PackTaskFloats = 1 << 15;

    [ThreadStatic] private static GemmBlocked? _current;

    private Isa _isa;
    private GemmBlocking _blocking;
    private bool _transA;
    private bool _transB;
    private nint _lda;
    private nint _ldb;
    private nint _ldc;
    private float _alpha;

    // The current step: op(A)[rows, kc] and op(B)[kc, cols] origins, their panels, the C tile they update.
    private float* _aOrigin;
    private float* _bOrigin;
    private float* _cOrigin;
    private float* _aPanel; // [rows, kc] in mr-row slivers
    private float* _bPanel; // [kc, cols] in nr-column slivers
    private int _rows;
    private int _cols;
    private int _kc;
    private float _beta;

    // Work split of the current step.
    private bool _packing;
    private int _aTasks;
    private int _aSliversPerTask;
    private int _bSliversPerTask;
    private int _mb;
    private int _nb;
    private int _nBlocks;

    /// <summary>C[m,n] = alpha·op(A)·op(B) + beta·C (k ≥ 1), arguments as in Gemm.Multiply, already checked.</summary>
    public static void Multiply(Isa isa, bool transA, bool transB, int m, int n, int k, float alpha, float* a, nint lda,
        float* b, nint ldb, float beta, float* c, nint ldc)
    {
        GemmBlocked job = _current ??= new GemmBlocked();
        job._isa = isa;
        job._blocking = GemmConfig.Blocking(isa);
        job._transA = transA;
        job._transB = transB;
        job._lda = lda;
        job._ldb = ldb;
        job._ldc = ldc;
        job._alpha = alpha;
        job.Run(m, n, k, a, b, beta, c);
    }

    private void Run(int m, int n, int k, float* a, float* b, float beta, float* c)
    {
        GemmBlocking bk = _blocking;
        int kSteps = (k + bk.KC - 1) / bk.KC;
        int kcStep = (k + kSteps - 1) / kSteps;
        bool parallel = 2.0 * m * n * k >= ParallelFlops;
        int threads = parallel ? WorkerPool.ThreadCount : 1;
        GemmScratch scratch = GemmScratch.Current;
        _aPanel = scratch.Get(0, (long)RoundUp(Math.Min(m, bk.MPanel), bk.MR) * kcStep);
        _bPanel = scratch.Get(1, (long)RoundUp(Math.Min(n, bk.NC), bk.NR) * kcStep);
        for (int i0 = 0; i0 < m; i0 += bk.MPanel)
        {
            _rows = Math.Min(bk.MPanel, m - i0);
            for (int j0 = 0; j0 < n; j0 += bk.NC)
            {
                _cols = Math.Min(bk.NC, n - j0);
                _cOrigin = c + i0 * _ldc + j0;
                int tileTasks = PlanTiles(threads);
                for (int p0 = 0; p0 < k; p0 += kcStep)
                {
                    _kc = Math.Min(kcStep, k - p0);
                    _aOrigin = _transA ? a + p0 * _lda + i0 : a + i0 * _lda + p0;
                    _bOrigin = _transB ? b + j0 * _ldb + p0 : b + p0 * _ldb + j0;
                    _beta = p0 == 0 ? beta : 1f;
                    _packing = true;
                    Dispatch(PlanPacking(), parallel);
                    _packing = false;
                    Dispatch(tileTasks, parallel);
                }
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>Splits the step's C tile [rows, cols] into blocks of mb×nb (multiples of the register tile): rows in
    /// blocks of at most MC, then columns, then rows again until there are about TasksPerThread tasks per thread.</summary>
    private int PlanTiles(int threads)
    {
        GemmBlocking bk = _blocking;
        int wanted = threads > 1 ? TasksPerThread * threads : 1;
        int mBlocks = CeilDiv(_rows, bk.MC);
        int nBlocks = Math.Clamp(CeilDiv(wanted, mBlocks), 1, Math.Max(1, _cols / (2 * bk.NR)));
        if (mBlocks * nBlocks < wanted)
        {
            mBlocks = Math.Max(mBlocks, Math.Min(CeilDiv(wanted, nBlocks), _rows / (2 * bk.MR)));
        }
        _mb = RoundUp(CeilDiv(_rows, mBlocks), bk.MR);
        _nb = RoundUp(CeilDiv(_cols, nBlocks), bk.NR);
        _nBlocks = CeilDiv(_cols, _nb);
        return CeilDiv(_rows, _mb) * _nBlocks;
    }

    /// <summary>Splits packing of the step's A and B panels into tasks of about PackTaskFloats floats.</summary>
    private int PlanPacking()
    {
        GemmBlocking bk = _blocking;
        int aSlivers = CeilDiv(_rows, bk.MR);
        int bSlivers = CeilDiv(_cols, bk.NR);
        _aSliversPerTask = Math.Max(1, PackTaskFloats / (bk.MR * _kc));
        _bSliversPerTask = Math.Max(1, PackTaskFloats / (bk.NR * _kc));
        _aTasks = CeilDiv(aSlivers, _aSliversPerTask);
        return _aTasks + CeilDiv(bSlivers, _bSliversPerTask);
    }

    private void Dispatch(int tasks, bool parallel)
    {
        if (parallel)
        {
            WorkerPool.For(tasks, this);
            return;
        }
        for (int i = 0; i < tasks; i++)
        {
            Invoke(i);
        }
    }

    public void Invoke(int index)
    {
        GemmBlocking bk = _blocking;
        if (_packing)
        {
            if (index < _aTasks)
            {
                int first = index * _aSliversPerTask;
                int count = Math.Min(_aSliversPerTask, CeilDiv(_rows, bk.MR) - first);
                GemmPacking.PackA(_isa, _aOrigin, _lda, _transA, _rows, _kc, bk.MR, first, count, _aPanel);
            }
            else
            {
                int first = (index - _aTasks) * _bSliversPerTask;
                int count = Math.Min(_bSliversPerTask, CeilDiv(_cols, bk.NR) - first);
                GemmPacking.PackB(_isa, _bOrigin, _ldb, _transB, _kc, _cols, bk.NR, first, count, _bPanel);
            }
            return;
        }
        int i0 = index / _nBlocks * _mb;
        int j0 = index % _nBlocks * _nb;
        GemmMacroKernel.Run(_isa, bk, Math.Min(_mb, _rows - i0), Math.Min(_nb, _cols - j0), _kc,
            _aPanel + (nint)i0 * _kc, _bPanel + (nint)j0 * _kc, _cOrigin + i0 * _ldc + j0, _ldc, _alpha, _beta);
    }
}
