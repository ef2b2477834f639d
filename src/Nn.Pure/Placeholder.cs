namespace Nn; internal static class Placeholder {}
