"""Cross-process invalidation of seal snapshots and public records through Redis pub/sub.

With SEAL_REDIS_URL set, `cache.invalidate` publishes the seal id after dropping its own
entries, and a listener thread in every process drops them too, so a status change
reaches every worker of every app process within about a second. Without Redis, or while
it is unreachable, each process keeps serving and its entries expire after
SEAL_BADGE_CACHE_SECONDS; the outage and the recovery are logged once each. On every
(re)subscription the listener clears the process's caches: messages sent while it was
deaf are lost, so nothing cached before then is trusted.
"""
import logging
import os
import threading

CHANNEL = "seal:invalidate:{db}"  # per Redis database number: pub/sub channels ignore SELECT
log = logging.getLogger(__name__)


class OutageLog:
    """Says once that a backend is down and once that it is back."""

    def __init__(self, down_message, back_message, logger=log):
        self.down_message, self.back_message, self.log = down_message, back_message, logger
        self._down = False
        self._lock = threading.Lock()

    def down(self, error):
        with self._lock:
            if not self._down:
                self._down = True
                self.log.warning(self.down_message, error)

    def up(self):
        with self._lock:
            if self._down:
                self._down = False
                self.log.warning(self.back_message)


class InvalidationBus:
    def __init__(self, url, drop, clear, retry_seconds=1.0):
        import redis

        self.url, self.drop, self.clear, self.retry_seconds = url, drop, clear, retry_seconds
        self._redis = redis
        self.channel = CHANNEL.format(db=redis.Redis.from_url(url).connection_pool.connection_kwargs.get("db", 0))
        self.outage = OutageLog("Redis at SEAL_REDIS_URL is unreachable (%s): caches expire by time only "
                                "and rate limits count per process until it is back",
                                "Redis is reachable again: invalidation across processes resumed")
        self.subscribed = threading.Event()
        self._stop = threading.Event()
        self._client = None
        self._thread = None
        self.start()
        os.register_at_fork(after_in_child=self.start)  # gunicorn --preload: every worker listens for itself

    def _new_client(self):
        return self._redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1,
                                          health_check_interval=5)

    def start(self):
        self._client = self._new_client()
        self.subscribed.clear()
        self._thread = threading.Thread(target=self._listen, name="seal-invalidation", daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()

    def publish(self, public_id):
        try:
            self._client.publish(self.channel, public_id)
        except self._redis.RedisError as error:
            self.outage.down(error)

    def _listen(self):
        while not self._stop.is_set():
            pubsub = None
            try:
                pubsub = self._new_client().pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                pubsub.get_message(timeout=1)  # the subscription's confirmation
                self.clear()  # whatever changed while we were not listening
                self.outage.up()
                self.subscribed.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1)
                    if message and message["type"] == "message":
                        self.drop(message["data"].decode("utf-8", "replace"))
            except (self._redis.RedisError, OSError) as error:
                self.subscribed.clear()
                self.outage.down(error)
                self._stop.wait(self.retry_seconds)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except (self._redis.RedisError, OSError):
                        pass


def init_app(app, drop, clear):
    """Start the bus when SEAL_REDIS_URL is set; app.extensions["seal_bus"] is None otherwise."""
    url = app.config.get("SEAL_REDIS_URL")
    app.extensions["seal_bus"] = InvalidationBus(url, drop, clear) if url else None
