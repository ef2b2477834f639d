using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Nn.Kernels;

namespace Nn;

/// <summary>
/// An immutable dense row-major matrix of <see cref="double"/> with value equality.
/// </summary>
/// <remarks>
/// A batch is a matrix with one example per row: for a layer with weights <c>W</c> of shape (inputs × outputs)
/// the pre-activation of a batch <c>X</c> of shape (m × inputs) is <c>Z = X·W + b</c>, shape (m × outputs), with the
/// bias row <c>b</c> added to every row. The column-per-example notation of many textbooks, <c>Z = W·X + b</c> with
/// <c>W</c> of shape (outputs × inputs), is the transpose of this: their <c>W</c> is our <c>Wᵀ</c> and their <c>X</c>
/// is our <c>Xᵀ</c>. Element (r, c) lives at index <c>r·Cols + c</c> of the flat storage.
/// </remarks>
public sealed class Matrix : IEquatable<Matrix>
{
    internal readonly double[] Data;

    private Matrix(int rows, int cols, double[] data)
    {
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The number of columns.</summary>
    public int Cols { get; }

    /// <summary>The element in row <paramref name="row"/>, column <paramref name="col"/> (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside the shape.</exception>
    public double this[int row, int col]
    {
        get
        {
            if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row index must be in [0, {Rows}).");
            if ((uint)col >= (uint)Cols) throw new ArgumentOutOfRangeException(nameof(col), col, $"Column index must be in [0, {Cols}).");
            return Data[row * Cols + col];
        }
    }

    /// <summary>A matrix of shape (rows × cols) from its elements in row-major order (copied).</summary>
    /// <exception cref="ArgumentException">When the count of values is not rows·cols.</exception>
    public static Matrix Create(int rows, int cols, IEnumerable<double> rowMajor)
    {
        CheckShape(rows, cols);
        var data = rowMajor.ToArray();
        if (data.Length != (long)rows * cols)
            throw new ArgumentException($"A {rows}×{cols} matrix needs {(long)rows * cols} values, got {data.Length}.", nameof(rowMajor));
        return new(rows, cols, data);
    }

    /// <summary>A matrix whose row i is <c>rows[i]</c>; every row must have the same length.</summary>
    /// <exception cref="ArgumentException">When rows differ in length, or there are no rows.</exception>
    public static Matrix FromRows(IReadOnlyList<IReadOnlyList<double>> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("FromRows needs at least one row (use Matrix.Zeros(0, n) for an empty batch).", nameof(rows));
        var cols = rows[0].Count;
        var data = new double[rows.Count * cols];
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r].Count != cols)
                throw new ArgumentException($"Row {r} has {rows[r].Count} values, but row 0 has {cols}.", nameof(rows));
            for (var c = 0; c < cols; c++) data[r * cols + c] = rows[r][c];
        }
        return new(rows.Count, cols, data);
    }

    /// <summary>A matrix from a rectangular array (copied); <c>a[r, c]</c> becomes element (r, c).</summary>
    public static Matrix FromArray2D(double[,] a) =>
        Init(a.GetLength(0), a.GetLength(1), (r, c) => a[r, c]);

    /// <summary>A (1 × n) matrix holding <paramref name="v"/> as its only row.</summary>
    public static Matrix RowOf(Vector v) => new(1, v.Length, v.ToArray());

    /// <summary>A (n × 1) matrix holding <paramref name="v"/> as its only column.</summary>
    public static Matrix ColumnOf(Vector v) => new(v.Length, 1, v.ToArray());

    /// <summary>A (rows × cols) matrix of zeros.</summary>
    public static Matrix Zeros(int rows, int cols)
    {
        CheckShape(rows, cols);
        return new(rows, cols, new double[rows * cols]);
    }

    /// <summary>A (rows × cols) matrix whose element (r, c) is <c>f(r, c)</c>, evaluated in row-major order.</summary>
    public static Matrix Init(int rows, int cols, Func<int, int, double> f)
    {
        CheckShape(rows, cols);
        var data = new double[rows * cols];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++) data[r * cols + c] = f(r, c);
        return new(rows, cols, data);
    }

    /// <summary>Takes ownership of <paramref name="data"/> (row-major, length rows·cols); the caller must never touch it again.</summary>
    internal static Matrix Own(int rows, int cols, double[] data)
    {
        System.Diagnostics.Debug.Assert(data.Length == rows * cols);
        return new(rows, cols, data);
    }

    internal ReadOnlySpan<double> AsSpan() => Data;

    internal ReadOnlySpan<double> RowSpan(int row) => Data.AsSpan(row * Cols, Cols);

    /// <summary>The shape as text, e.g. <c>3×4</c>.</summary>
    public string Shape => $"{Rows}×{Cols}";

    /// <summary>Row <paramref name="row"/> as a vector of length Cols.</summary>
    public Vector Row(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row index must be in [0, {Rows}).");
        return Vector.Own(RowSpan(row).ToArray());
    }

    /// <summary>Column <paramref name="col"/> as a vector of length Rows.</summary>
    public Vector Column(int col)
    {
        if ((uint)col >= (uint)Cols) throw new ArgumentOutOfRangeException(nameof(col), col, $"Column index must be in [0, {Cols}).");
        var v = new double[Rows];
        for (var r = 0; r < Rows; r++) v[r] = Data[r * Cols + col];
        return Vector.Own(v);
    }

    /// <summary>The rows at <paramref name="indices"/>, in that order (shape indices.Count × Cols); indices may repeat.</summary>
    public Matrix SelectRows(IReadOnlyList<int> indices)
    {
        var data = new double[indices.Count * Cols];
        for (var i = 0; i < indices.Count; i++)
        {
            var r = indices[i];
            if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(indices), r, $"Row index must be in [0, {Rows}).");
            RowSpan(r).CopyTo(data.AsSpan(i * Cols, Cols));
        }
        return new(indices.Count, Cols, data);
    }

    /// <summary><see cref="SelectRows(IReadOnlyList{int})"/> into an array of <paramref name="ws"/> (a fresh one when null).</summary>
    internal Matrix SelectRowsInto(ImmutableArray<int> indices, Workspace? ws)
    {
        var data = Workspace.Alloc(ws, indices.Length * Cols);
        Blas.GatherRows(Data, Rows, Cols, indices.AsSpan(), data);
        return new(indices.Length, Cols, data);
    }

    /// <summary>The rows as arrays (copies), e.g. for printing or for F# list comprehensions.</summary>
    public double[][] ToRows()
    {
        var rows = new double[Rows][];
        for (var r = 0; r < Rows; r++) rows[r] = RowSpan(r).ToArray();
        return rows;
    }

    /// <summary>A copy as a rectangular array.</summary>
    public double[,] ToArray2D()
    {
        var a = new double[Rows, Cols];
        for (var r = 0; r < Rows; r++)
            for (var c = 0; c < Cols; c++) a[r, c] = Data[r * Cols + c];
        return a;
    }

    /// <summary>The elements in row-major order (a copy).</summary>
    public double[] ToRowMajorArray() => (double[])Data.Clone();

    /// <summary>Element-wise map: <c>result[r, c] = f(this[r, c])</c>.</summary>
    public Matrix Map(Func<double, double> f)
    {
        var r = new double[Data.Length];
        for (var i = 0; i < r.Length; i++) r[i] = f(Data[i]);
        return new(Rows, Cols, r);
    }

    /// <summary>The transpose, shape (Cols × Rows).</summary>
    public Matrix Transpose()
    {
        var t = new double[Data.Length];
        Blas.Transpose(Data, Rows, Cols, t);
        return new(Cols, Rows, t);
    }

    /// <summary>The matrix product <c>a·b</c>: (m × k)·(k × n) → (m × n).</summary>
    /// <exception cref="ArgumentException">When <c>a.Cols ≠ b.Rows</c>.</exception>
    public static Matrix Multiply(Matrix a, Matrix b)
    {
        if (a.Cols != b.Rows) throw new ArgumentException($"Cannot multiply {a.Shape} by {b.Shape}: inner dimensions {a.Cols} and {b.Rows} differ.");
        var c = new double[a.Rows * b.Cols];
        Blas.Gemm(a.Data, b.Data, c, a.Rows, a.Cols, b.Cols);
        return new(a.Rows, b.Cols, c);
    }

    /// <summary>
    /// <c>a·b + row</c> in one pass: <c>result[i, j] = (Σ_p a[i, p]·b[p, j]) + row[j]</c>, the same bits as
    /// <c>AddRow(Multiply(a, b), row)</c>. Shapes are the caller's responsibility.
    /// </summary>
    internal static Matrix MultiplyAddRow(Matrix a, Matrix b, Vector row, Workspace? ws = null)
    {
        var c = Workspace.Alloc(ws, a.Rows * b.Cols);
        Blas.Gemm(a.Data, b.Data, c, a.Rows, a.Cols, b.Cols, row.Data, ws);
        return new(a.Rows, b.Cols, c);
    }

    /// <summary>
    /// <see cref="MultiplyAddRow"/> that also returns <c>ReLU(result)</c>, computed as each result is stored (the bits of
    /// <see cref="Activations.Apply(Activation, Matrix)"/> with ReLU). Shapes are the caller's responsibility.
    /// </summary>
    internal static (Matrix Z, Matrix A) MultiplyAddRowRelu(Matrix a, Matrix b, Vector row, Workspace? ws)
    {
        var z = Workspace.Alloc(ws, a.Rows * b.Cols);
        var relu = Workspace.Alloc(ws, a.Rows * b.Cols);
        Kernels.Gemm.Multiply(a.Data, false, b.Data, false, z, a.Rows, a.Cols, b.Cols, row.Data, Epilogue.Relu, relu, ws);
        return (new(a.Rows, b.Cols, z), new(a.Rows, b.Cols, relu));
    }

    /// <summary>
    /// Only <c>ReLU(a·b + row)</c>, applied as each result is stored: the activation of <see cref="MultiplyAddRowRelu"/>
    /// (same bits) without writing Z. Shapes are the caller's responsibility.
    /// </summary>
    internal static Matrix MultiplyAddRowReluOnly(Matrix a, Matrix b, Vector row, Workspace? ws)
    {
        var relu = Workspace.Alloc(ws, a.Rows * b.Cols);
        Kernels.Gemm.Multiply(a.Data, false, b.Data, false, relu, a.Rows, a.Cols, b.Cols, row.Data, Epilogue.ReluOnly, null, ws);
        return new(a.Rows, b.Cols, relu);
    }

    /// <summary>
    /// <c>(a·bᵀ) ⊙ [gate &gt; 0]</c>: <see cref="MultiplyTransposeB(Matrix, Matrix)"/> through the ReLU derivative at
    /// <paramref name="gate"/> (a layer's Z, or its ReLU: the same gate), the bits of <see cref="Activations.Backward(Activation, Matrix, Matrix, Matrix)"/>
    /// with ReLU applied to the product; and the column sums of that result (a hidden layer's error and its bias
    /// gradient), taken as the rows are stored where the kernel can: the bits of <see cref="ColumnSums(Matrix)"/> of the
    /// product. Shapes are the caller's responsibility.
    /// </summary>
    internal static (Matrix Product, Vector ColumnSums) MultiplyTransposeBReluGate(Matrix a, Matrix b, Matrix gate, Workspace? ws)
    {
        var c = Workspace.Alloc(ws, a.Rows * b.Rows);
        var s = Workspace.Alloc(ws, b.Rows);
        Kernels.Gemm.Multiply(a.Data, false, b.Data, true, c, a.Rows, a.Cols, b.Rows, null, Epilogue.ReluGate, gate.Data, s, ws);
        return (new(a.Rows, b.Rows, c), Vector.Own(s));
    }

    /// <summary>The product <c>aᵀ·b</c> without forming the transpose: (k × m)ᵀ·(k × n) → (m × n).</summary>
    /// <exception cref="ArgumentException">When <c>a.Rows ≠ b.Rows</c>.</exception>
    public static Matrix MultiplyTransposeA(Matrix a, Matrix b) => MultiplyTransposeA(a, b, null);

    internal static Matrix MultiplyTransposeA(Matrix a, Matrix b, Workspace? ws)
    {
        CheckTransposeA(a, b);
        var c = Workspace.Alloc(ws, a.Cols * b.Cols);
        Blas.GemmTransA(a.Data, b.Data, c, a.Cols, a.Rows, b.Cols, ws);
        return new(a.Cols, b.Cols, c);
    }

    /// <summary>Throws unless <c>aᵀ·b</c> is defined (equal row counts).</summary>
    internal static void CheckTransposeA(Matrix a, Matrix b)
    {
        if (a.Rows != b.Rows) throw new ArgumentException($"Cannot multiply ({a.Shape})ᵀ by {b.Shape}: row counts {a.Rows} and {b.Rows} differ.");
    }

    /// <summary>The product <c>a·bᵀ</c> without forming the transpose: (m × k)·(n × k)ᵀ → (m × n).</summary>
    /// <exception cref="ArgumentException">When <c>a.Cols ≠ b.Cols</c>.</exception>
    public static Matrix MultiplyTransposeB(Matrix a, Matrix b) => MultiplyTransposeB(a, b, null);

    internal static Matrix MultiplyTransposeB(Matrix a, Matrix b, Workspace? ws)
    {
        if (a.Cols != b.Cols) throw new ArgumentException($"Cannot multiply {a.Shape} by ({b.Shape})ᵀ: column counts {a.Cols} and {b.Cols} differ.");
        var c = Workspace.Alloc(ws, a.Rows * b.Rows);
        Blas.GemmTransB(a.Data, b.Data, c, a.Rows, a.Cols, b.Rows, ws);
        return new(a.Rows, b.Rows, c);
    }

    /// <summary>Element-wise sum <c>a + b</c>; shapes must match.</summary>
    public static Matrix Add(Matrix a, Matrix b) => Add(a, b, null);

    internal static Matrix Add(Matrix a, Matrix b, Workspace? ws)
    {
        CheckSameShape(a, b, "add");
        var r = Workspace.Alloc(ws, a.Data.Length);
        Blas.Add(a.Data, b.Data, r);
        return new(a.Rows, a.Cols, r);
    }

    /// <summary>Element-wise difference <c>a − b</c>; shapes must match.</summary>
    public static Matrix Subtract(Matrix a, Matrix b)
    {
        CheckSameShape(a, b, "subtract");
        var r = new double[a.Data.Length];
        Blas.Subtract(a.Data, b.Data, r);
        return new(a.Rows, a.Cols, r);
    }

    /// <summary>Element-wise (Hadamard) product <c>a ⊙ b</c>; shapes must match.</summary>
    public static Matrix Hadamard(Matrix a, Matrix b) => Hadamard(a, b, null);

    internal static Matrix Hadamard(Matrix a, Matrix b, Workspace? ws)
    {
        CheckSameShape(a, b, "multiply element-wise");
        var r = Workspace.Alloc(ws, a.Data.Length);
        Blas.Multiply(a.Data, b.Data, r);
        return new(a.Rows, a.Cols, r);
    }

    /// <summary>The scalar multiple <c>s·a</c>.</summary>
    public static Matrix Scale(double s, Matrix a) => Scale(s, a, null);

    internal static Matrix Scale(double s, Matrix a, Workspace? ws)
    {
        var r = Workspace.Alloc(ws, a.Data.Length);
        Blas.Scale(s, a.Data, r);
        return new(a.Rows, a.Cols, r);
    }

    /// <summary>Adds the row vector <paramref name="row"/> (length Cols) to every row: <c>result[r, c] = a[r, c] + row[c]</c>.</summary>
    public static Matrix AddRow(Matrix a, Vector row)
    {
        if (row.Length != a.Cols) throw new ArgumentException($"Cannot add a row of length {row.Length} to a {a.Shape} matrix (needs {a.Cols}).", nameof(row));
        var r = new double[a.Data.Length];
        Blas.AddRowBroadcast(a.Data, row.Data, r, a.Rows, a.Cols);
        return new(a.Rows, a.Cols, r);
    }

    /// <summary>The sum of each column, summed over rows in order 0, 1, …: a vector of length Cols.</summary>
    public static Vector ColumnSums(Matrix a) => ColumnSums(a, null);

    internal static Vector ColumnSums(Matrix a, Workspace? ws)
    {
        var s = Workspace.Alloc(ws, a.Cols);
        Blas.ColumnSums(a.Data, a.Rows, a.Cols, s);
        return Vector.Own(s);
    }

    /// <summary>True when both matrices have the same shape and identical bit patterns element by element.</summary>
    public bool BitEquals(Matrix other) =>
        other.Rows == Rows && other.Cols == Cols &&
        MemoryMarshal.AsBytes(Data.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(other.Data.AsSpan()));

    /// <inheritdoc />
    public bool Equals(Matrix? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.Rows != Rows || other.Cols != Cols) return false;
        for (var i = 0; i < Data.Length; i++)
            if (!Data[i].Equals(other.Data[i])) return false;
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Matrix);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Rows);
        h.Add(Cols);
        for (var i = 0; i < Math.Min(Data.Length, 16); i++) h.Add(Data[i]);
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Matrix? a, Matrix? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Matrix? a, Matrix? b) => !(a == b);

    /// <summary>A short description: the shape and the first few values in row-major order.</summary>
    public override string ToString() => $"Matrix[{Shape}] {Format.Preview(Data, 6)}";

    internal static void CheckSameShape(Matrix a, Matrix b, string op)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols)
            throw new ArgumentException($"Cannot {op} matrices of shapes {a.Shape} and {b.Shape}: shapes must match.");
    }

    private static void CheckShape(int rows, int cols)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "Row count must be >= 0.");
        if (cols < 0) throw new ArgumentOutOfRangeException(nameof(cols), cols, "Column count must be >= 0.");
        if ((long)rows * cols > Array.MaxLength) throw new ArgumentException($"A {rows}×{cols} matrix is too large.");
    }
}
