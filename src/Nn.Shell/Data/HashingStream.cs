using System.Security.Cryptography;

namespace Nn.Shell;

/// <summary>
/// A read-only, forward-only view of a stream that appends every byte it returns to a SHA-256, so the hash a data file
/// records is of the bytes that were actually parsed (one read), not of a second read that may see another file.
/// </summary>
internal sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
{
    /// <summary>The number of bytes read (and hashed) so far.</summary>
    public long BytesRead { get; private set; }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        hash.AppendData(buffer[..n]);
        BytesRead += n;
        return n;
    }

    /// <summary>A new SHA-256 to append to; the caller disposes it.</summary>
    public static IncrementalHash NewHash() => IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>The lowercase hex digest of everything appended so far (the hash is reset).</summary>
    public static string Hex(IncrementalHash hash) => Convert.ToHexStringLower(hash.GetHashAndReset());

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
