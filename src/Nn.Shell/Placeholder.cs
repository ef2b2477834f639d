namespace Nn.Shell; internal static class Placeholder {}
