#pragma once
// What Docker itself takes to create and start a container, with host networking and on a
// Docker network: the part of a deploy's start phase that no tool can save, measured in
// the same run as fical so the two modes' overheads can be compared net of it.
#include <chrono>
#include <string>

namespace fical::bench {

/// Median of `runs` of what a deploy's start phase asks Docker: remove the color's stopped
/// container, create and start (to running) a new one of `image` on `network`.
std::chrono::milliseconds docker_start_cost(const std::string& docker_socket, const std::string& image,
                                            const std::string& network, int runs = 5);

}  // namespace fical::bench
