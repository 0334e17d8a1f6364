#pragma once
// The real Transport: HTTP/1.1 over TCP, TLS (OpenSSL, verified) or a unix socket.
#include <string>

#include "client/agent_url.hpp"
#include "client/transport.hpp"

namespace fical::client {

/// Speaks to the agent with Boost.Beast, one connection per request. Every connect, TLS
/// handshake, write and read runs asynchronously under a deadline (Timeouts). HTTPS verifies
/// the server's certificate and host name against the system store, or `ca_file` if given.
class BeastTransport final : public Transport {
 public:
  BeastTransport(AgentUrl url, std::string ca_file);
  HttpResponse send(const HttpRequest& request, const Timeouts& timeouts) override;
  HttpResponse stream(const HttpRequest& request, const Timeouts& timeouts,
                      const ChunkSink& sink) override;

 private:
  HttpResponse exchange(const HttpRequest& request, const Timeouts& timeouts,
                        const ChunkSink* sink);

  AgentUrl url_;
  std::string ca_file_;
};

}  // namespace fical::client
