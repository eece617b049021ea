# The import id is the group name.
terraform import hvc_administrator.cloud_admins CloudAdmins@vsphere.local
