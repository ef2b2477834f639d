using Nn.Kernels;

namespace Nn.Properties;

/// <summary>
/// The step scratch (<see cref="Workspace"/>): every rent has the asked length, and a few recurring sequences of shapes
/// (an epoch's first step, its in-place steps, a final partial batch) reuse their arrays instead of allocating anew.
/// </summary>
public class WorkspaceTests
{
    private static double[][] Step(Workspace ws, params int[] lengths)
    {
        ws.Rewind();
        return [.. lengths.Select(ws.Rent)];
    }

    [Fact]
    public void Recurring_shape_sequences_get_back_the_same_arrays()
    {
        var ws = new Workspace(ComputeOptions.Default);
        int[][] shapes = [[10, 20, 30], [10, 25, 31], [4, 8, 12], [10, 20, 30, 5]];
        var first = shapes.Select(s => Step(ws, s)).ToArray();
        for (var round = 0; round < 3; round++)
            for (var k = 0; k < shapes.Length; k++)
            {
                var again = Step(ws, shapes[k]);
                Assert.Equal(shapes[k], again.Select(a => a.Length));
                for (var i = 0; i < again.Length; i++) Assert.Same(first[k][i], again[i]);
            }
    }

    [Fact]
    public void More_shapes_than_spares_still_get_arrays_of_the_asked_length()
    {
        var ws = new Workspace(ComputeOptions.Default);
        var lengths = Enumerable.Range(1, Workspace.Spares + 3).ToArray();
        for (var round = 0; round < 4; round++)
            foreach (var n in lengths) Assert.Equal([n, 2 * n], Step(ws, n, 2 * n).Select(a => a.Length));
        // Beyond the spares the least recently used array is dropped, so a cycle of more lengths allocates.
        var a1 = Step(ws, 1)[0];
        foreach (var n in lengths.Skip(1)) Step(ws, n);
        Assert.NotSame(a1, Step(ws, 1)[0]);
    }
}
