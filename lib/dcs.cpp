// The compiled part of pgwarden's dcs module (see lib/CMakeLists.txt).
#include <pgwarden/dcs/src.hpp>
