#include "trace-hw_vfio.h"
