using Microsoft.DotNet.Interactive.Formatting;
using Nn.Shell;

namespace Nn.Interactive;

/// <summary>
/// Registers <see cref="Views"/> as the HTML formatters of Nn's values in a .NET Interactive (Polyglot or Jupyter)
/// notebook: run <c>Nn.Interactive.NnFormatters.Register();</c> once, after <c>#r "nuget: Nn.Interactive"</c>, and a cell
/// that ends with a <c>Matrix</c>, <c>Network</c>, <c>History</c>, <c>EvalReport</c> or <c>GradientCheckReport</c>
/// shows it as a table or chart.
/// </summary>
public static class NnFormatters
{
    /// <summary>The MIME type of the views: text/html.</summary>
    public const string MimeType = "text/html";

    /// <summary>Registers every view (calling it again registers them again, harmlessly).</summary>
    public static void Register()
    {
        Formatter.Register<Matrix>((value, writer) => writer.Write(Views.Matrix(value)), MimeType);
        Formatter.Register<Vector>((value, writer) => writer.Write(Views.Vector(value)), MimeType);
        Formatter.Register<Network>((value, writer) => writer.Write(Views.Network(value)), MimeType);
        Formatter.Register<History>((value, writer) => writer.Write(Views.History(value)), MimeType);
        Formatter.Register<EvalReport>((value, writer) => writer.Write(Views.Evaluation(value)), MimeType);
        Formatter.Register<GradientCheckReport>((value, writer) => writer.Write(Views.GradientCheck(value)), MimeType);
    }
}
