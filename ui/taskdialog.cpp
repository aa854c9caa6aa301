// SPDX-License-Identifier: MIT
#include "ui/taskdialog.h"
