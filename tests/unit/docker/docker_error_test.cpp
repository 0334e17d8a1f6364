#include "agent/docker/docker_error.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::docker;

TEST_CASE("docker errors keep Docker's message and status", "[docker]") {
  auto e = http_error("POST /containers/create", 404,
                      R"({"message": "No such image: app:v9"})");
  CHECK(e.kind() == DockerErrorKind::http);
  CHECK(e.status() == 404);
  CHECK(e.is_not_found());
  CHECK_FALSE(e.is_conflict());
  CHECK(e.docker_message() == "No such image: app:v9");
  CHECK(std::string(e.what()) ==
        "docker: POST /containers/create answered 404: No such image: app:v9");
}

TEST_CASE("docker errors: a non-JSON body is kept as bounded one-line text", "[docker]") {
  auto e = http_error("GET /x", 500, "line one\nline two" + std::string(1000, 'x'));
  CHECK(e.status() == 500);
  CHECK(e.docker_message().find('\n') == std::string::npos);
  CHECK(e.docker_message().size() < 400);
  CHECK(http_error("GET /x", 503, "").what() == std::string("docker: GET /x answered 503"));
  CHECK(to_string(DockerErrorKind::unreachable) == "unreachable");
}
