// Boost.JSON's implementation for the wasm build, which has no compiled Boost library to link
// (natively the core links Boost::json instead). It must be compiled in exactly one file.
#ifdef __EMSCRIPTEN__
#include <boost/json/src.hpp>
#endif
