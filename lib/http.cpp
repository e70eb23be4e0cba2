// The compiled part of pgwarden's http module (see lib/CMakeLists.txt).
#include <pgwarden/http/src.hpp>
