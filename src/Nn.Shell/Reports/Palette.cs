namespace Nn.Shell;

/// <summary>The report's colours: a categorical palette for classes and series, and a sequential ramp for heat maps.</summary>
internal static class Palette
{
    private static readonly string[] Categorical =
        ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"];

    /// <summary>The colour of class or series <paramref name="index"/> (the palette repeats after 10).</summary>
    internal static string Class(int index) => Categorical[((index % Categorical.Length) + Categorical.Length) % Categorical.Length];

    /// <summary>The opaque colour of <see cref="Class"/>(index) blended over white with weight <paramref name="alpha"/> in [0, 1].</summary>
    internal static string Tint(int index, double alpha)
    {
        var c = Class(index);
        alpha = Math.Clamp(alpha, 0, 1);
        int Channel(int at) => (int)Math.Round(255 + (Convert.ToInt32(c.Substring(at, 2), 16) - 255) * alpha);
        return $"#{Channel(1):x2}{Channel(3):x2}{Channel(5):x2}";
    }

    /// <summary>A blue ramp: white at 0, dark blue at 1 (<paramref name="t"/> is clamped to [0, 1]).</summary>
    internal static string Ramp(double t)
    {
        t = double.IsFinite(t) ? Math.Clamp(t, 0, 1) : 0;
        static int Lerp(int a, int b, double u) => (int)Math.Round(a + (b - a) * u);
        return $"#{Lerp(0xf7, 0x08, t):x2}{Lerp(0xfb, 0x30, t):x2}{Lerp(0xff, 0x6b, t):x2}";
    }

    /// <summary>Whether text on <see cref="Ramp"/>(t) should be white rather than black.</summary>
    internal static bool DarkRamp(double t) => t > 0.55;
}
