#include <catch2/catch.hpp>

#include "client/agent_url.hpp"

using namespace fical::client;

namespace {
AgentUrl parsed(const std::string& text) {
  auto result = parse_agent_url(text);
  INFO(text);
  REQUIRE(std::holds_alternative<AgentUrl>(result));
  return std::get<AgentUrl>(result);
}
std::string problem(const std::string& text) {
  auto result = parse_agent_url(text);
  INFO(text);
  REQUIRE(std::holds_alternative<std::string>(result));
  return std::get<std::string>(result);
}
}  // namespace

TEST_CASE("agent URLs: http, https and unix sockets", "[client][url]") {
  auto http = parsed("http://127.0.0.1:7070");
  CHECK(http.scheme == AgentUrl::Scheme::http);
  CHECK(http.host == "127.0.0.1");
  CHECK(http.port == 7070);
  CHECK(http.base_path.empty());
  CHECK(http.host_header() == "127.0.0.1:7070");
  CHECK(http.is_local());

  auto https = parsed("https://agent.example.com/fical/");
  CHECK(https.scheme == AgentUrl::Scheme::https);
  CHECK(https.port == 443);
  CHECK(https.base_path == "/fical");
  CHECK_FALSE(https.is_local());

  auto v6 = parsed("http://[::1]:7070");
  CHECK(v6.host == "::1");
  CHECK(v6.host_header() == "[::1]:7070");
  CHECK(v6.is_local());

  auto sock = parsed("unix:/run/fical/agent.sock");
  CHECK(sock.scheme == AgentUrl::Scheme::unix_socket);
  CHECK(sock.socket_path == "/run/fical/agent.sock");
  CHECK(sock.host_header() == "localhost");
  CHECK(sock.display() == "unix:/run/fical/agent.sock");
  CHECK(parsed("unix:///run/x.sock").socket_path == "/run/x.sock");

  CHECK_FALSE(parsed("http://127.evil.example:80").is_local());
}

TEST_CASE("bad agent URLs say what is wrong", "[client][url]") {
  CHECK(problem("ftp://127.0.0.1").find("unsupported scheme") != std::string::npos);
  CHECK(problem("127.0.0.1:7070").find("url:") == 0);
  CHECK(problem("http://127.0.0.1:99999").find("bad port") != std::string::npos);
  CHECK(problem("http://user:pw@127.0.0.1:1").find("credentials") != std::string::npos);
  CHECK(problem("unix:relative.sock").find("absolute") != std::string::npos);
  CHECK(problem("unix:/" + std::string(200, 'a')).find("longer") != std::string::npos);
  CHECK(problem("http://127.0.0.1:1/?x=1").find("?") != std::string::npos);
}
