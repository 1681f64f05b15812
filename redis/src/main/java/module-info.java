/**
 * TokenGuard on Redis: {@link dev.tokenguard.redis.RedisReplayStore}, a DPoP replay store that all
 * instances of an API share.
 */
module dev.tokenguard.redis {
  exports dev.tokenguard.redis;

  // RedisReplayStore implements dev.tokenguard.dpop.ReplayStore.
  requires transitive dev.tokenguard;
  requires redis.clients.jedis;
  requires org.apache.commons.pool2;
}
