#include "trace-hw_i386.h"
