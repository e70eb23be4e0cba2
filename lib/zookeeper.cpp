// The compiled part of pgwarden's ZooKeeper module (see lib/CMakeLists.txt).
#include <pgwarden/dcs/zookeeper/src.hpp>
