// Compiles agent/io_pch.hpp once; I/O libraries reuse it (REUSE_FROM fical_io_pch).
#include "agent/io_pch.hpp"
