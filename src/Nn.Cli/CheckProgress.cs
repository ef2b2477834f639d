using System.Diagnostics;
using System.Globalization;

namespace Nn.Cli;

/// <summary>
/// The progress of a long gradient check: on a terminal, one line rewritten in place (shown only once the check has run
/// for half a second, erased at the end); with <c>--progress</c>, plain lines on stderr, the first at the first finished
/// check and then at most one a second (for logs, and for tests that wait for it); with no writer, nothing (it only keeps
/// count, for the message when the check is cancelled).
/// </summary>
internal sealed class CheckProgress(TextWriter? writer, bool lines)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _next = lines ? TimeSpan.Zero : TimeSpan.FromSeconds(0.5);
    private int _width;

    /// <summary>The last progress seen (for the message when the check is cancelled).</summary>
    public GradientCheckProgress? Last { get; private set; }

    public void Report(GradientCheckProgress p)
    {
        Last = p;
        if (writer is null) return;
        var now = _clock.Elapsed;
        if (now < _next || p.Done == p.Total) return;
        _next = now + TimeSpan.FromSeconds(lines ? 1 : 0.25);
        // The rate of the first second (start-up, the gradient itself) says little about the rest.
        var left = now < TimeSpan.FromSeconds(1) ? "" : ", about " + Duration(TimeSpan.FromTicks((long)(now.Ticks * (double)(p.Total - p.Done) / p.Done))) + " left";
        var text = string.Create(CultureInfo.InvariantCulture, $"gradcheck: {100.0 * p.Done / p.Total:F1}% ({p.Done} of {p.Total} checks{left})");
        if (lines) writer.WriteLine(text);
        else
        {
            writer.Write("\r" + text.PadRight(_width));
            _width = text.Length;
        }
        writer.Flush();
    }

    /// <summary>Erases the rewritten line, if one was shown.</summary>
    public void Done()
    {
        if (writer is null || lines || _width == 0) return;
        writer.Write("\r" + new string(' ', _width) + "\r");
        writer.Flush();
        _width = 0;
    }

    private static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes} min")
        : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes} min {t.Seconds} s")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (int)Math.Ceiling(t.TotalSeconds))} s");
}
