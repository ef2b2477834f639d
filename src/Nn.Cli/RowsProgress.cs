using System.Diagnostics;
using System.Globalization;

namespace Nn.Cli;

/// <summary>
/// <c>nn predict</c>'s progress on a terminal: one rewritten line with the rows done so far, after the first chunk and then at
/// most four times a second, erased at the end. Nothing when <paramref name="writer"/> is null (output not a terminal).
/// </summary>
internal sealed class RowsProgress(TextWriter? writer, string what) : IProgress<int>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _next = TimeSpan.Zero;
    private int _width;

    public void Report(int value)
    {
        if (writer is null || _clock.Elapsed < _next) return;
        _next = _clock.Elapsed + TimeSpan.FromSeconds(0.25);
        var text = string.Create(CultureInfo.InvariantCulture, $"{what}: {value:N0} rows");
        writer.Write("\r" + text.PadRight(_width));
        _width = text.Length;
        writer.Flush();
    }

    /// <summary>Erases the line, if one was shown.</summary>
    public void Done()
    {
        if (writer is null || _width == 0) return;
        writer.Write("\r" + new string(' ', _width) + "\r");
        writer.Flush();
        _width = 0;
    }
}
