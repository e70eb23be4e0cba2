// The compiled part of pgwarden's etcd3 module (see lib/CMakeLists.txt).
#include <pgwarden/dcs/etcd3/src.hpp>
