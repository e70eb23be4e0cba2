// Boost.JSON compiled from source for the fuzz targets, so that its parser is
// instrumented too (the targets do not link the prebuilt Boost::json).
#include <boost/json/src.hpp>
