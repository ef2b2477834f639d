using System.Globalization;
using System.Runtime.InteropServices;

namespace Nn.Shell;

/// <summary>
/// Rows of numbers whose count is not known in advance (a CSV being read), held at 8 bytes a cell and turned into one
/// matrix without ever holding two copies. Rows are staged in a small buffer and moved into native blocks of 32 MiB + 64
/// KiB; <see cref="ToMatrix"/> allocates the exact array uninitialized (its pages become resident only as they are
/// written) and frees each block as soon as it is copied, so the peak stays near one copy plus one block. A managed list
/// of chunks cannot do this: freed chunks stay resident until a full garbage collection, so the copy would briefly need
/// twice the data. The block size is just above the C allocator's largest mmap threshold (32 MiB), so every block is its
/// own mapping, returned to the system when freed, and only its written pages are ever resident (a small file costs
/// what it holds, not a block).
/// </summary>
internal sealed class CellBlocks : IDisposable
{
    private const long BlockBytes = (32L << 20) + (64 << 10);

    private readonly int _width;
    private readonly double[] _stage;
    private readonly int _stageRows;
    private readonly List<(IntPtr Pointer, int Rows)> _blocks = [];
    private IntPtr _block;
    private int _blockRows;
    private int _blockCapacity;
    private int _staged;
    private bool _moved;

    /// <summary>Rows of <paramref name="width"/> (≥ 1) numbers each.</summary>
    public CellBlocks(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        _width = width;
        _stageRows = Math.Max(1, 8192 / width);
        _stage = new double[_stageRows * width];
    }

    /// <summary>The number of rows appended.</summary>
    public int Rows { get; private set; }

    /// <summary>Room for the next row: the caller fills all <c>width</c> values before the next call.</summary>
    /// <exception cref="InvalidDataException">With what was expected, when one more row would exceed an array's or the memory's limit.</exception>
    public Span<double> Append()
    {
        if (_moved) throw new InvalidOperationException("The rows were already moved into a matrix.");
        if ((long)(Rows + 1) * _width > Array.MaxLength)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"expected at most {Array.MaxLength / _width} rows of {_width} numbers (one array of at most {Array.MaxLength} values), found more."));
        if (_staged == _stageRows) Flush();
        Rows++;
        return _stage.AsSpan(_staged++ * _width, _width);
    }

    /// <summary>
    /// The rows as a (Rows × width) matrix. The rows are moved, not copied: this can be called once.
    /// </summary>
    public Matrix ToMatrix()
    {
        if (_moved) throw new InvalidOperationException("The rows were already moved into a matrix.");
        _moved = true;
        var data = GC.AllocateUninitializedArray<double>(Rows * _width);
        var at = 0;
        foreach (var (pointer, rows) in _blocks)
        {
            Marshal.Copy(pointer, data, at, rows * _width);
            at += rows * _width;
            Marshal.FreeHGlobal(pointer);
        }
        _blocks.Clear();
        if (_block != IntPtr.Zero)
        {
            Marshal.Copy(_block, data, at, _blockRows * _width);
            at += _blockRows * _width;
            Marshal.FreeHGlobal(_block);
            _block = IntPtr.Zero;
        }
        _stage.AsSpan(0, _staged * _width).CopyTo(data.AsSpan(at));
        return Matrix.Own(Rows, _width, data);
    }

    /// <summary>Moves the staged rows into the current native block, starting a new one when it is full.</summary>
    private void Flush()
    {
        var done = 0;
        while (done < _staged)
        {
            if (_block == IntPtr.Zero || _blockRows == _blockCapacity) NewBlock();
            var n = Math.Min(_staged - done, _blockCapacity - _blockRows);
            Marshal.Copy(_stage, done * _width, _block + _blockRows * _width * sizeof(double), n * _width);
            _blockRows += n;
            done += n;
        }
        _staged = 0;
    }

    private void NewBlock()
    {
        if (_block != IntPtr.Zero) _blocks.Add((_block, _blockRows));
        _block = IntPtr.Zero;
        var rowBytes = (long)_width * sizeof(double);
        var capacity = (int)Math.Max(1, Math.Min(BlockBytes / rowBytes, Array.MaxLength / _width));
        var held = checked((long)Rows * rowBytes + capacity * rowBytes);
        if (ReadLimits.MemoryProblem(held, $"{Rows} rows of {_width} numbers") is { } problem) throw new InvalidDataException(problem);
        _block = Marshal.AllocHGlobal((nint)(capacity * rowBytes));
        _blockCapacity = capacity;
        _blockRows = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (pointer, _) in _blocks) Marshal.FreeHGlobal(pointer);
        _blocks.Clear();
        if (_block != IntPtr.Zero) Marshal.FreeHGlobal(_block);
        _block = IntPtr.Zero;
    }
}
