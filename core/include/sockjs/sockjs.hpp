#pragma once
/// @file
/// The whole protocol core in one include.
#include <sockjs/client.hpp>
#include <sockjs/error.hpp>
#include <sockjs/frame.hpp>
#include <sockjs/http.hpp>
#include <sockjs/json_escape.hpp>
#include <sockjs/options.hpp>
#include <sockjs/payload.hpp>
#include <sockjs/result.hpp>
#include <sockjs/session.hpp>
#include <sockjs/time.hpp>
#include <sockjs/transport.hpp>
#include <sockjs/wrap.hpp>
