# One set per vCenter: the import id is always "administrators".
terraform import hvc_administrators.all administrators
