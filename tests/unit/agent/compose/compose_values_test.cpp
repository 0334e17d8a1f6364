// Compose's interpolation, .env files and value grammars.
#include <catch2/catch.hpp>
#include <map>

#include "agent/compose/compose_values.hpp"
#include "agent/compose/dotenv.hpp"
#include "agent/compose/interpolate.hpp"

using namespace fical::agent::compose;
using namespace std::chrono_literals;

namespace {

VariableLookup from(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional(it->second);
  };
}

std::string expand(const std::string& text) {
  auto result = interpolate(text, from({{"SET", "value"}, {"EMPTY", ""}}));
  return result.ok() ? result.text : "error: " + result.error;
}

}  // namespace

TEST_CASE("interpolation follows compose: defaults, required, alternatives, $$", "[compose]") {
  CHECK(expand("${SET}") == "value");
  CHECK(expand("$SET/x") == "value/x");
  CHECK(expand("${UNSET}") == "");
  CHECK(expand("${UNSET:-fallback}") == "fallback");
  CHECK(expand("${EMPTY:-fallback}") == "fallback");
  CHECK(expand("${EMPTY-fallback}") == "");
  CHECK(expand("${UNSET-fallback}") == "fallback");
  CHECK(expand("${UNSET:-${SET}}") == "value");
  CHECK(expand("${SET:+alt}") == "alt");
  CHECK(expand("${EMPTY:+alt}") == "");
  CHECK(expand("${EMPTY+alt}") == "alt");
  CHECK(expand("$$SET costs $$5") == "$SET costs $5");
  CHECK(expand("a $ b") == "a $ b");
  CHECK(expand("${SET:?must be set}") == "value");
  CHECK(expand("${UNSET:?must be set}") ==
        "error: required variable UNSET is missing a value: must be set");
  CHECK(expand("${EMPTY:?}") == "error: required variable EMPTY is missing a value");
  CHECK(expand("${EMPTY?}") == "");
  CHECK(expand("${UNSET?no}") == "error: required variable UNSET is missing a value: no");
  CHECK(expand("${SET") == "error: invalid interpolation format for \"${SET\": no closing }");
  CHECK(expand("${1X}") == "error: invalid interpolation format for \"${1X}\"");
}

TEST_CASE(".env files: quotes, comments, export", "[compose]") {
  auto env = parse_dotenv(
      "# c\nexport A=1\nB = two words # note\nC='lit ${X} # not a comment'\nD=\"a\\nb\"\nE=\n");
  CHECK(env.error.empty());
  CHECK(env.variables == std::map<std::string, std::string>{{"A", "1"},
                                                            {"B", "two words"},
                                                            {"C", "lit ${X} # not a comment"},
                                                            {"D", "a\nb"},
                                                            {"E", ""}});
  CHECK(parse_dotenv("A=1\nnot an assignment\n").error == "line 2: expected KEY=VALUE");
  CHECK(parse_dotenv("A=\"open\n").error ==
        "line 1: the quoted value of A does not end on its line");
}

TEST_CASE("compose durations, sizes, words and ports", "[compose]") {
  CHECK(parse_compose_duration("1m30s") == 90s);
  CHECK(parse_compose_duration("1.5s") == 1500ms);
  CHECK(parse_compose_duration("250ms") == 250ms);
  CHECK(parse_compose_duration("2h") == 2h);
  CHECK_FALSE(parse_compose_duration("10"));
  CHECK_FALSE(parse_compose_duration("5 days"));
  CHECK(normalize_byte_size("512M") == "512m");
  CHECK(normalize_byte_size("1gb") == "1g");
  CHECK(normalize_byte_size("536870912") == "536870912");
  CHECK_FALSE(normalize_byte_size("lots"));
  CHECK(split_words("sh -c 'echo \"hi there\"' a\\ b") ==
        std::vector<std::string>{"sh", "-c", "echo \"hi there\"", "a b"});
  CHECK_FALSE(split_words("echo 'open"));
  auto mapping = parse_port_mapping("127.0.0.1:8080:80/tcp");
  REQUIRE(mapping);
  CHECK(mapping->container == 80);
  CHECK(mapping->published == 8080);
  CHECK(parse_port_mapping("3000")->published == std::nullopt);
  CHECK(parse_port_mapping("53:53/udp")->protocol == "udp");
  CHECK_FALSE(parse_port_mapping("8000-8010:8000-8010"));
}

TEST_CASE("a curl or wget of a local URL is an HTTP check", "[compose]") {
  auto url = local_http_check({"curl", "-fsS", "http://localhost:9000/healthz", "||", "exit", "1"});
  REQUIRE(url);
  CHECK(url->port == 9000);
  CHECK(url->path == "/healthz");
  CHECK(local_http_check({"wget", "-q", "-O", "-", "http://127.0.0.1"})->port == 80);
  CHECK_FALSE(local_http_check({"curl", "http://db:5432/"}));                       // not local
  CHECK_FALSE(local_http_check({"curl", "http://localhost/", "&&", "rm", "-rf"}));  // does more
  CHECK_FALSE(local_http_check({"pg_isready"}));
}
