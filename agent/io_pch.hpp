#pragma once
// Precompiled header for the agent's I/O files: the only place where Asio and Beast are
// included in bulk. Pure-logic files never include this (nor Asio or Beast).
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
