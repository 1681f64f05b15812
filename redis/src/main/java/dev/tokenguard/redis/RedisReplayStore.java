package dev.tokenguard.redis;

import dev.tokenguard.dpop.ReplayStore;
import dev.tokenguard.dpop.ReplayStoreUnavailableException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * A DPoP replay store (RFC 9449 section 11.1) in Redis, shared by every instance of an API: a proof
 * used at one instance is refused at all the others.
 *
 * <pre>{@code
 * RedisReplayStore replays = RedisReplayStore.create(URI.create(System.getenv("REDIS_URL")));
 * AccessTokenVerifier verifier = AccessTokenVerifier.builder()
 *     ...
 *     .dpop(DpopPolicy.defaults().withReplayStore(replays))
 *     .build();
 * // on shutdown: replays.close();
 * }</pre>
 *
 * <p>Each first use is one atomic {@code SET <prefix><key> 1 NX PX <ms>} (Redis 2.6.12 or later):
 * Redis answers {@code OK} to exactly one caller and lets the key expire with the proof window,
 * so Redis holds only proofs that are still young enough to be replayed. Keys are the verifier's
 * 43-character hashes behind a prefix (default {@value #DEFAULT_KEY_PREFIX}), so several APIs can
 * share one Redis with different prefixes.
 *
 * <p>The wait is bounded: taking a pooled connection waits at most the command timeout, opening one
 * at most the connect timeout, and the command itself at most the command timeout (defaults
 * {@link #DEFAULT_CONNECT_TIMEOUT} and {@link #DEFAULT_COMMAND_TIMEOUT}), so a call returns or
 * throws within their sum; there is no retry. When Redis cannot answer in time (down, unreachable,
 * refusing the credentials, read-only) the call throws {@link ReplayStoreUnavailableException} and
 * the verifier refuses the request with 503: fail closed. That is the trade-off: while Redis is
 * down, DPoP requests are refused (bearer requests are not affected), never accepted without the
 * replay check. Run Redis with the availability you want for DPoP.
 *
 * <p>The URI is {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for
 * TLS. Thread-safe; {@link #close()} closes the connections. {@link #toString()} never shows the
 * password.
 */
public final class RedisReplayStore implements ReplayStore, AutoCloseable {
  /** The default prefix of every key this store writes. */
  public static final String DEFAULT_KEY_PREFIX = "tokenguard:dpop:";
  /** The default connect timeout: 500 ms. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(500);
  /** The default command timeout (and the longest wait for a pooled connection): 500 ms. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(500);
  /** The default number of connections: 16. */
  public static final int DEFAULT_MAX_CONNECTIONS = 16;
  private static final Duration MAX_TIMEOUT = Duration.ofSeconds(30);

  /** Configures a {@link RedisReplayStore}. Not thread-safe; setters check their argument at once. */
  public static final class Builder {
    private final URI uri;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Clock clock = Clock.systemUTC();

    private Builder(URI uri) {
      this.uri = uri;
    }

    /**
     * The prefix of every key (default {@value #DEFAULT_KEY_PREFIX}): give each API sharing a
     * Redis its own.
     *
     * @param keyPrefix the prefix, e.g. {@code health-api:dpop:}
     * @return this builder
     * @throws IllegalArgumentException when longer than 128 characters or not printable ASCII
     */
    public Builder keyPrefix(String keyPrefix) {
      Objects.requireNonNull(keyPrefix, "keyPrefix");
      if (keyPrefix.length() > 128 || !keyPrefix.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("keyPrefix must be at most 128 printable ASCII characters without spaces");
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * How long to wait for a connection to open, and for a command's answer (also the longest
     * wait for a free pooled connection).
     *
     * @param connect 1 ms to 30 s (default 500 ms)
     * @param command 1 ms to 30 s (default 500 ms)
     * @return this builder
     * @throws IllegalArgumentException when either is out of range
     */
    public Builder timeouts(Duration connect, Duration command) {
      this.connectTimeout = checkTimeout(connect, "connect");
      this.commandTimeout = checkTimeout(command, "command");
      return this;
    }

    /**
     * The most connections held open at once (default 16): a request beyond them waits for one, at
     * most the command timeout.
     *
     * @param maxConnections 1 to 1024
     * @return this builder
     * @throws IllegalArgumentException unless between 1 and 1024
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1 || maxConnections > 1024) {
        throw new IllegalArgumentException("maxConnections must be between 1 and 1024, was " + maxConnections);
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * The clock a deadline is turned into a time to live with (default: the system UTC clock; give
     * the verifier's).
     *
     * @param clock the clock, e.g. the verifier's
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the store. Opens no connection yet: the first use does.
     *
     * @return the store; thread-safe, to close when done
     */
    public RedisReplayStore build() {
      return new RedisReplayStore(this);
    }

    private static Duration checkTimeout(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.toMillis() < 1 || d.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(name + " timeout must be between 1 ms and 30 s, was " + d);
      }
      return d;
    }
  }

  private final RedisClient redis;
  private final String keyPrefix;
  private final Clock clock;
  /** Where Redis is, for messages: scheme, host, port and database, never credentials. */
  private final String location;

  private RedisReplayStore(Builder b) {
    this.keyPrefix = b.keyPrefix;
    this.clock = b.clock;
    HostAndPort hostAndPort = JedisURIHelper.getHostAndPort(b.uri);
    int database = JedisURIHelper.hasDbIndex(b.uri) ? JedisURIHelper.getDBIndex(b.uri) : 0;
    boolean tls = JedisURIHelper.isRedisSSLScheme(b.uri);
    this.location = (tls ? "rediss://" : "redis://") + hostAndPort + "/" + database;
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis((int) b.connectTimeout.toMillis())
        .socketTimeoutMillis((int) b.commandTimeout.toMillis())
        .database(database)
        .ssl(tls)
        .clientName("tokenguard-dpop");
    String user = JedisURIHelper.getUser(b.uri);
    String password = JedisURIHelper.getPassword(b.uri);
    if (user != null) {
      config.user(user);
    }
    if (password != null) {
      config.password(password);
    }
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(b.maxConnections);
    pool.setMaxIdle(b.maxConnections);
    pool.setBlockWhenExhausted(true);
    pool.setMaxWait(b.commandTimeout);
    pool.setJmxEnabled(false);
    this.redis = RedisClient.builder().hostAndPort(hostAndPort).clientConfig(config.build()).poolConfig(pool).build();
  }

  /**
   * A store on the Redis at {@code redisUri} with the defaults: key prefix {@value
   * #DEFAULT_KEY_PREFIX}, 500 ms connect and command timeouts, 16 connections.
   *
   * @param redisUri the Redis URI, e.g. {@code redis://127.0.0.1:6379}
   * @return the store; thread-safe, to close when done
   * @throws NullPointerException when {@code redisUri} is null
   * @throws IllegalArgumentException unless a {@code redis://} or {@code rediss://} URI with a host
   */
  public static RedisReplayStore create(URI redisUri) {
    return builder(redisUri).build();
  }

  /**
   * A builder for a store on the Redis at {@code redisUri}.
   *
   * @param redisUri the Redis URI, e.g. {@code redis://127.0.0.1:6379}
   * @return a new builder
   * @throws NullPointerException when {@code redisUri} is null
   * @throws IllegalArgumentException unless a {@code redis://} or {@code rediss://} URI with a host
   */
  public static Builder builder(URI redisUri) {
    Objects.requireNonNull(redisUri, "redisUri");
    if (!JedisURIHelper.isValid(redisUri) || !JedisURIHelper.isRedisScheme(redisUri)) {
      throw new IllegalArgumentException("a Redis URI is redis://host:port or rediss://host:port, with optional"
          + " credentials and database; got scheme " + redisUri.getScheme());
    }
    return new Builder(redisUri);
  }

  /**
   * {@code SET <prefix><key> 1 NX PX <until - now>} (at least 1 ms): true when Redis stored the key
   * (first use), false when it already held it (a replay).
   *
   * @throws ReplayStoreUnavailableException when Redis does not answer within the timeouts or
   *     answers with an error
   */
  @Override
  public boolean firstUse(String key, Instant until) {
    Objects.requireNonNull(key, "key");
    long ttlMillis = Math.max(1, until.toEpochMilli() - clock.millis());
    String answer;
    try {
      answer = redis.set(keyPrefix + key, "1", SetParams.setParams().nx().px(ttlMillis));
    } catch (RuntimeException e) {
      throw new ReplayStoreUnavailableException("Redis at " + location + " did not answer the replay check ("
          + e.getClass().getSimpleName() + ")", e);
    }
    return "OK".equals(answer);
  }

  /** Closes the pooled connections; later calls throw {@link ReplayStoreUnavailableException}. */
  @Override
  public void close() {
    redis.close();
  }

  /** Where Redis is and the key prefix; never credentials. */
  @Override
  public String toString() {
    return "RedisReplayStore{" + location + ", keyPrefix=" + keyPrefix + "}";
  }
}
