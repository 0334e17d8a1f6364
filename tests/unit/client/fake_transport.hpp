#pragma once
// A scripted Transport for unit tests: answers requests in order and records them.
#include <deque>
#include <string>
#include <vector>

#include "client/transport.hpp"

namespace fical::client::testing {

/// One scripted answer: a response (whole or streamed in chunks), optionally followed by
/// a dropped connection (throws TransportError after the chunks).
struct Scripted {
  HttpResponse response;
  std::vector<std::string> chunks;  // streamed bodies
  bool drop_after = false;
  bool unreachable = false;  // throw at once, as if nothing listened
};

class FakeTransport final : public Transport {
 public:
  std::deque<Scripted> script;
  std::vector<HttpRequest> requests;

  HttpResponse send(const HttpRequest& request, const Timeouts&) override {
    auto next = take(request);
    return next.response;
  }

  HttpResponse stream(const HttpRequest& request, const Timeouts&, const ChunkSink& sink) override {
    auto next = take(request);
    if (next.response.status >= 200 && next.response.status < 300) {
      for (const auto& chunk : next.chunks) {
        if (!sink(chunk)) break;
      }
    }
    if (next.drop_after) {
      throw TransportError(TransportError::Kind::broken, "connection reset by peer");
    }
    return next.response;
  }

 private:
  Scripted take(const HttpRequest& request) {
    requests.push_back(request);
    if (script.empty()) {
      throw TransportError(TransportError::Kind::unreachable, "script exhausted");
    }
    auto next = script.front();
    script.pop_front();
    if (next.unreachable) throw TransportError(TransportError::Kind::unreachable, "refused");
    return next;
  }
};

/// Hands a test-owned transport to code that wants to own one.
class BorrowedTransport final : public Transport {
 public:
  explicit BorrowedTransport(Transport& inner) : inner_(inner) {}
  HttpResponse send(const HttpRequest& r, const Timeouts& t) override { return inner_.send(r, t); }
  HttpResponse stream(const HttpRequest& r, const Timeouts& t, const ChunkSink& s) override {
    return inner_.stream(r, t, s);
  }

 private:
  Transport& inner_;
};

}  // namespace fical::client::testing
