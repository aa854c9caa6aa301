// SPDX-License-Identifier: MIT
#include "ui/logitlensview.h"
