// SPDX-License-Identifier: MIT
#include "ui/tokenview.h"
