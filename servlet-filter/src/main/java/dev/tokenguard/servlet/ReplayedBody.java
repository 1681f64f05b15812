package dev.tokenguard.servlet;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayInputStream;

/**
 * A request body already read into memory, served again as a blocking {@link ServletInputStream}.
 * Not thread-safe, like any request stream.
 */
final class ReplayedBody extends ServletInputStream {
  private final ByteArrayInputStream in;

  ReplayedBody(byte[] body) {
    this.in = new ByteArrayInputStream(body);
  }

  @Override
  public int read() {
    return in.read();
  }

  @Override
  public int read(byte[] b, int off, int len) {
    return in.read(b, off, len);
  }

  @Override
  public boolean isFinished() {
    return in.available() == 0;
  }

  @Override
  public boolean isReady() {
    return true;
  }

  /** Refused: the body is in memory already, so there is nothing to read asynchronously. */
  @Override
  public void setReadListener(ReadListener listener) {
    throw new IllegalStateException("the body was already read; asynchronous reading is not available");
  }
}
