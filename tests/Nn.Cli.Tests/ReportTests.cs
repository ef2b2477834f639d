using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Nn;
using Nn.Shell;

namespace Nn.Cli.Tests;

/// <summary>The HTML report's structure: produced by the commands, well-formed, self-contained, escaped and deterministic.</summary>
public class ReportTests
{
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>A hostile label and feature name: every character HTML and XML treat specially.</summary>
    private const string Hostile = "<b>&\"'";

    internal static string HostileMoons(TempDir dir, string name, int count, long seed)
    {
        var d = Synthetic.Moons(Key.FromSeed(seed), count, 0.15);
        var sb = new StringBuilder("\"x<1>\",\"y&2\",label\n");
        for (var r = 0; r < d.Count; r++)
            sb.Append(CultureInfo.InvariantCulture, $"{d.X[r, 0]:R},{d.X[r, 1]:R},{(d.Labels[r] == 0 ? "\"<b>&\"\"'\"" : "plain")}\n");
        return dir.Write(name, sb.ToString());
    }

    /// <summary>Parses the page as XML (it is written to be well-formed XHTML-style HTML).</summary>
    internal static XDocument Parse(string path)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(path, settings);
        return XDocument.Load(reader);
    }

    private static string[] SectionIds(XDocument doc) =>
        [.. doc.Descendants(Xhtml + "section").Select(s => (string?)s.Attribute("id") ?? "")];

    [Fact]
    public void Train_report_with_test_data_has_every_classification_section_as_well_formed_svg()
    {
        using var dir = new TempDir();
        var train = HostileMoons(dir, "train.csv", 240, 1);
        var test = HostileMoons(dir, "test.csv", 80, 2);
        var report = dir.File("report.html");
        var t = NnCli.Run("train", "--data", train, "--test-data", test, "--validation-fraction", "0.25", "--layers", "8", "--activation", "tanh", "--lr", "0.02",
            "--epochs", "15", "--seed", "5", "--out", dir.File("m.safetensors"), "--report", report, "--quiet");
        Assert.True(t.Code == 0, t.Err);

        var doc = Parse(report);
        Assert.Equal(["summary", "configuration", "loss", "metric", "training-metrics", "metrics", "classes", "confusion", "reliability", "roc",
            "precision-recall", "regions"], SectionIds(doc));
        var svgs = doc.Descendants(Svg + "svg").ToList();
        Assert.Equal(7, svgs.Count);
        Assert.Equal("7", (string?)doc.Root!.Element(Xhtml + "body")!.Attribute("data-charts"));
        foreach (var svg in svgs)
        {
            // Each chart is a standalone SVG document too, with a title, a size and drawn shapes.
            var standalone = XElement.Parse(svg.ToString());
            Assert.Equal(Svg + "svg", standalone.Name);
            Assert.NotEmpty(standalone.Element(Svg + "title")!.Value);
            Assert.True(double.Parse((string)standalone.Attribute("width")!, CultureInfo.InvariantCulture) > 100);
            Assert.Contains(standalone.Descendants(), e => e.Name.LocalName is "rect" or "polyline" or "circle");
        }

        // The confusion heat map has one cell per (true, predicted) pair, and the counts add up to the test rows.
        var confusion = doc.Descendants(Xhtml + "section").Single(s => (string?)s.Attribute("id") == "confusion");
        var cells = confusion.Descendants(Svg + "rect").Where(r => ((string?)r.Attribute("class"))?.Contains("cellbox", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(4, cells.Count);
        Assert.Equal(80, confusion.Descendants(Svg + "text").Where(e => (string?)e.Attribute("class") is { } c && c.StartsWith("cell", StringComparison.Ordinal))
            .Sum(e => int.Parse(e.Value, CultureInfo.InvariantCulture)));
        // The reliability diagram names its ECE; the configuration lists the seed.
        Assert.Contains("ECE", doc.Descendants(Svg + "title").Select(e => e.Value).First(v => v.StartsWith("Reliability", StringComparison.Ordinal)), StringComparison.Ordinal);
        var config = doc.Descendants(Xhtml + "section").Single(s => (string?)s.Attribute("id") == "configuration");
        Assert.Contains(config.Descendants(Xhtml + "tr"), tr => tr.Elements().Select(e => e.Value).SequenceEqual(["seed", "5"]));
        // Two classes: one ROC curve (the second label positive) over the chance diagonal, its AUC as in the metrics table;
        // the per-class table has a row per label and the two averages; no top-2 accuracy.
        var metrics = Section(doc, "metrics").Descendants(Xhtml + "tr").ToDictionary(tr => tr.Elements().First().Value, tr => tr.Elements().Last().Value);
        Assert.DoesNotContain("top-2 accuracy", metrics.Keys);
        var auc = metrics.Single(kv => kv.Key.StartsWith("ROC AUC (", StringComparison.Ordinal)).Value;
        var roc = Section(doc, "roc");
        Assert.Single(roc.Descendants(Svg + "polyline"));
        Assert.Single(roc.Descendants(Svg + "line"), l => (string?)l.Attribute("class") == "diagonal");
        Assert.Contains(roc.Descendants(Svg + "text"), t => t.Value.EndsWith($"(AUC {auc})", StringComparison.Ordinal));
        Assert.Single(Section(doc, "precision-recall").Descendants(Svg + "polyline"));
        Assert.Equal(5, Section(doc, "classes").Descendants(Xhtml + "tr").Count());
        // Decision regions: one point per test row on top of the regions.
        var regions = doc.Descendants(Xhtml + "section").Single(s => (string?)s.Attribute("id") == "regions");
        Assert.Equal(80, regions.Descendants(Svg + "circle").Count(c => (string?)c.Attribute("class") == "point"));
    }

    [Fact]
    public void User_text_is_escaped_and_the_page_needs_no_network()
    {
        using var dir = new TempDir();
        var train = HostileMoons(dir, "train.csv", 120, 3);
        var report = dir.File("r.html");
        Assert.Equal(0, NnCli.Run("train", "--data", train, "--layers", "4", "--epochs", "3", "--out", dir.File("m.safetensors"), "--report", report, "--quiet").Code);
        Assert.Equal(0, NnCli.Run("eval", "--model", dir.File("m.safetensors"), "--data", train, "--report", dir.File("e.html")).Code);

        foreach (var path in new[] { report, dir.File("e.html") })
        {
            var html = File.ReadAllText(path);
            Assert.DoesNotContain(Hostile, html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
            Assert.Contains("&lt;b&gt;&amp;&quot;&#39;", html, StringComparison.Ordinal);
            Assert.Contains("x&lt;1&gt;", html, StringComparison.Ordinal);
            var doc = Parse(path);
            // The label survives escaping: as text in the page and in the charts.
            Assert.Contains(doc.Descendants(Svg + "text"), e => e.Value == Hostile);
            Assert.Contains(doc.Descendants(Xhtml + "td"), e => e.Value.Contains(Hostile, StringComparison.Ordinal));
            // Self-contained: no external scripts, styles, images, fonts or links.
            foreach (var e in doc.Descendants())
                foreach (var a in e.Attributes().Where(a => a.Name.LocalName is "src" or "href"))
                    Assert.Fail($"external reference {a} in <{e.Name.LocalName}>");
            Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
            Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
            Assert.Empty(doc.Descendants(Xhtml + "link"));
            Assert.All(doc.Descendants(Xhtml + "script"), s => Assert.Null(s.Attribute("src")));
        }
    }

    [Fact]
    public void Reports_are_deterministic_and_written_atomically()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 150, 4);
        string Train(string name)
        {
            var path = dir.File(name);
            var r = NnCli.Run("train", "--data", data, "--test-data", data, "--layers", "6", "--epochs", "5", "--seed", "9", "--out", dir.File(name + ".safetensors"), "--report", path, "--quiet");
            Assert.True(r.Code == 0, r.Err);
            return File.ReadAllText(path);
        }
        var a = Train("a.html");
        Assert.Equal(a, Train("b.html"));
        Assert.Equal(a, Train("a.html"));   // overwritten in place
        Assert.Equal(["a.html", "a.html.safetensors", "b.html", "b.html.safetensors", "blobs.csv"],
            Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());

        var e1 = dir.File("e1.html");
        var e2 = dir.File("e2.html");
        Assert.Equal(0, NnCli.Run("eval", "--model", dir.File("a.html.safetensors"), "--data", data, "--report", e1).Code);
        Assert.Equal(0, NnCli.Run("eval", "--model", dir.File("a.html.safetensors"), "--data", data, "--report", e2, "--json").Code);
        Assert.Equal(File.ReadAllBytes(e1), File.ReadAllBytes(e2));
        var doc = Parse(e1);
        Assert.Equal(["summary", "configuration", "metrics", "classes", "confusion", "reliability", "roc", "precision-recall", "regions"], SectionIds(doc));
        // Three classes: a curve per class against the rest, and per-class AUC and AP columns.
        Assert.Equal(3, Section(doc, "roc").Descendants(Svg + "polyline").Count());
        Assert.Equal(3, Section(doc, "precision-recall").Descendants(Svg + "polyline").Count());
        Assert.Equal(["", "precision", "recall", "F1", "support", "ROC AUC", "AP"], Section(doc, "classes").Descendants(Xhtml + "tr").First().Elements().Select(e => e.Value).ToArray());
        Assert.Equal(9, doc.Descendants(Svg + "rect").Count(r => ((string?)r.Attribute("class"))?.Contains("cellbox", StringComparison.Ordinal) == true));
    }

    [Fact]
    public void Regression_reports_show_the_r2_curve_and_predicted_against_actual()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 120, 2);
        var model = dir.File("lin.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--validation-fraction", "0.25", "--layers", "6", "--epochs", "8", "--out", model, "--report", dir.File("t.html"), "--quiet").Code);
        var train = Parse(dir.File("t.html"));
        Assert.Equal(["summary", "configuration", "loss", "metric", "training-metrics", "regression"], SectionIds(train));
        Assert.Contains(Section(train, "training-metrics").Descendants(Xhtml + "th"), th => th.Value.StartsWith("validation R² (best", StringComparison.Ordinal));
        Assert.Contains(train.Descendants(Svg + "title"), t => t.Value == "Validation R² per epoch");

        Assert.Equal(0, NnCli.Run("eval", "--model", model, "--data", data, "--report", dir.File("e.html")).Code);
        var eval = Parse(dir.File("e.html"));
        Assert.Equal(["summary", "configuration", "metrics", "regression"], SectionIds(eval));
        var scatter = eval.Descendants(Xhtml + "section").Single(s => (string?)s.Attribute("id") == "regression");
        Assert.Equal(120, scatter.Descendants(Svg + "circle").Count());
        Assert.Contains(eval.Descendants(Xhtml + "th"), th => th.Value == "R²");
    }

    [Fact]
    public void A_train_only_report_shows_the_training_and_best_validation_metrics_of_the_history()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 150, 4);
        var report = dir.File("t.html");
        var history = dir.File("h.csv");
        // A validation split of 38 rows (early stopping needs at least 30), so the history has validation metrics.
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--layers", "6", "--epochs", "12", "--seed", "3", "--validation-fraction", "0.25",
            "--out", dir.File("m.safetensors"), "--report", report, "--history", history, "--json").Code);
        var doc = Parse(report);
        Assert.DoesNotContain("metrics", SectionIds(doc));
        var rows = Section(doc, "training-metrics").Descendants(Xhtml + "tr").ToDictionary(tr => tr.Elements().First().Value, tr => tr.Elements().Last().Value);
        // The history CSV (epoch,train_loss,val_loss,val_accuracy,val_r2) written by the same run is the reference.
        var epochs = File.ReadAllLines(history).Skip(1).Select(l => l.Split(',')).ToArray();
        var best = epochs.MinBy(e => double.Parse(e[2], CultureInfo.InvariantCulture))!;
        var last = epochs[^1];
        string M(string v) => double.Parse(v, CultureInfo.InvariantCulture).ToString("0.####", CultureInfo.InvariantCulture);
        var at = best == last ? $"best and last epoch, {best[0]}" : $"best epoch, {best[0]}";
        Assert.Equal(M(best[1]), rows[$"training loss ({at})"]);
        Assert.Equal(M(best[2]), rows[$"validation loss ({at})"]);
        Assert.Equal(M(best[3]), rows[$"validation accuracy ({at})"]);
        if (best != last) Assert.Equal(M(last[3]), rows[$"validation accuracy (last epoch, {last[0]})"]);
    }

    private static XElement Section(XDocument doc, string id) => doc.Descendants(Xhtml + "section").Single(s => (string?)s.Attribute("id") == id);

    [Fact]
    public void A_report_needs_only_a_model_and_shows_each_part_given()
    {
        var network = Init.Mlp(Key.FromSeed(1), [2, 3, 1], Activations.Tanh, Activations.Sigmoid, InitSchemes.XavierNormal);
        var info = new ModelInfo(TaskKind.Classification, ["a", "b"], "t", ["no", Hostile], Losses.BinaryCrossEntropy, FeatureScaling.None(2), null,
            [new Setting("seed", "12"), new Setting("note", Hostile)], "");
        var model = new Model(network, info);
        var bare = HtmlReport.Render(new ReportInput("bare", model, null, null, null, ""));
        Assert.Contains("<section id=\"summary\">", bare, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", bare, StringComparison.Ordinal);
        Assert.Contains("data-charts=\"0\"", bare, StringComparison.Ordinal);
        Assert.DoesNotContain(Hostile, bare, StringComparison.Ordinal);
        Assert.Contains("seed 12", bare, StringComparison.Ordinal);

        // One epoch and a NaN loss still draw (a point, a gap), and nothing non-finite leaks into the SVG.
        var history = new History([new EpochRecord(1, double.NaN, null), new EpochRecord(2, 0.5, null)], 2);
        var html = HtmlReport.Render(new ReportInput("one", model, history, null, null, ""));
        Assert.Contains("<section id=\"loss\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", html, StringComparison.Ordinal);
        Assert.Equal(html, HtmlReport.Render(new ReportInput("one", model, history, null, null, "")));
    }
}
