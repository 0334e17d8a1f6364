#!/bin/sh
# Test app entry point. Environment:
#   PORT            port to listen on
#   LISTEN          address to listen on: 127.0.0.1 (host networking, the default) or
#                   0.0.0.0 (on a Docker network, where nginx and fical reach its address)
#   APP_VERSION     served at / so tests can tell releases apart
#   BOOT_DELAY      seconds to wait before listening
#   HEALTH_FAIL=1   /health answers 404 instead of 200
#   CRASH_ON_START=1  exit 3 at once
#   SLOW_SECONDS    how long /cgi-bin/slow takes
if [ "$CRASH_ON_START" = 1 ]; then
  echo "test-app $APP_VERSION: crashing on start as configured" >&2
  exit 3
fi
listen=${LISTEN:-127.0.0.1}
echo "test-app $APP_VERSION: booting on $listen:$PORT after ${BOOT_DELAY}s"
sleep "$BOOT_DELAY"
echo "$APP_VERSION" >/app/www/index.html
if [ "$HEALTH_FAIL" != 1 ]; then
  echo ok >/app/www/health
fi
echo "test-app $APP_VERSION: listening"
# As PID 1 httpd would ignore SIGTERM (no handler), so `docker stop` would wait out its
# timeout: the shell stays PID 1 and passes SIGTERM on, as a real app's server would exit.
httpd -f -v -p "$listen:$PORT" -h /app/www &
server=$!
trap 'echo "test-app $APP_VERSION: stopping"; kill -TERM $server; wait $server; exit 0' TERM INT
wait $server
